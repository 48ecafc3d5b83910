// The readable form of a simulation summary, for people; `--json` prints the same as one line.
import { MAP_VISITS_MAX, type SimulationSummary } from '../sim/simulate.ts';
import type { ScenarioSummary } from '../sim/driver.ts';
import { counted } from './counted.ts';

const int = (n: number) => n.toLocaleString('en-US');
const clock = (ms: number | null) => {
  if (ms === null) return 'never';
  const s = Math.round(ms / 1_000);
  return `T+${Math.floor(s / 3_600)}:${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

export function renderReport(s: SimulationSummary): string {
  const lines: string[] = [];
  lines.push(`On-sale simulation "${s.scenario}", seed ${s.seed}`);
  lines.push(busLine(s));
  lines.push('');
  for (const p of s.performances) {
    const pct = ((100 * p.sold) / p.capacity).toFixed(1);
    lines.push(`  ${p.performanceId}: sold ${int(p.sold)} of ${int(p.capacity)} seats (${pct} %)`);
  }
  lines.push(`  buyers ${int(s.buyers)}, revenue ${(s.revenueMinor / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
  lines.push(s.sellOutMs === null
    ? `  the web never sold out: ${int(s.webUnsold)} seats it could sell were left at the close; last sale at ${clock(s.lastSaleMs)} (simulated time from opening)`
    : `  web sold out at ${clock(s.sellOutMs)} (simulated time from opening), last sale at ${clock(s.lastSaleMs)}`);
  lines.push(`  ${int(s.turnedAway)} buyer visits saw too few seats on the map and left (each looks again later, up to ${MAP_VISITS_MAX} visits)`);
  lines.push(`  holds: ${int(s.holds.made)} made, ${int(s.holds.confirmed)} confirmed, ${int(s.holds.released)} released, ${int(s.holds.expired)} expired`);
  lines.push('');
  lines.push(`  commands ${int(s.commands)} in ${int(s.wallMs)} ms wall: ${int(s.commandsPerSec)} commands/s`);
  lines.push(`  latency submit → reply: p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms`);
  lines.push('');
  lines.push(...rejectionLines(s.rejections));
  lines.push('');
  lines.push(`  checks: seats sold twice ${s.checks.seatsSoldTwice}, buyers over the cap of ${s.limits.maxTicketsPerBuyerPerPerformance}: ${s.checks.buyersOverCap}`);
  return lines.join('\n');
}

const money = (minor: number) => (minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });

/** The product scenarios (season, theatre): performances, products, phases, settlement, checks. */
export function renderScenarioReport(s: ScenarioSummary): string {
  const lines: string[] = [];
  lines.push(`Product simulation "${s.scenario}", seed ${s.seed}, ${int(s.buyers)} buyers`);
  lines.push(busLine(s));
  lines.push('');
  lines.push('  products:');
  for (const p of s.products) {
    const resale = p.resale === null ? 'no resale' : `resale ${p.resale.minPct}-${p.resale.maxPct} %`;
    lines.push(`    ${p.productId}: ${p.kind}, ${p.numbered ? 'numbered' : 'unnumbered'}${p.sameSeat ? ', same seat' : ''}, ${p.performances.length} performances (pick ${p.min}-${p.max}), ${resale}`);
  }
  lines.push('');
  for (const [phase, counts] of Object.entries(s.phases)) {
    lines.push(`  ${phase}: ${Object.entries(counts).map(([k, v]) => `${k} ${int(v)}`).join(', ')}`);
  }
  lines.push('');
  for (const p of s.performances) lines.push(`  ${p.performanceId}: sold ${int(p.sold)} of ${int(p.capacity)} (${((100 * p.sold) / p.capacity).toFixed(1)} %)`);
  lines.push('');
  lines.push(`  settlement: organizers paid ${money(s.settlement.organizerPaidMinor)}, pending ${money(s.settlement.organizerPendingMinor)}; resellers credited ${money(s.settlement.sellerCreditsMinor)}, pending ${money(s.settlement.sellerCreditsPendingMinor)}`);
  lines.push(`  commands ${int(s.commands)} (client commands; saga steps not counted) in ${int(s.wallMs)} ms wall: ${int(s.commandsPerSec)} commands/s`);
  lines.push(`  latency submit → reply: p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms`);
  lines.push('');
  lines.push(...rejectionLines(s.rejections));
  lines.push('');
  lines.push(`  checks: ${Object.entries(s.checks).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return lines.join('\n');
}

function rejectionLines(rejections: Record<string, number>): string[] {
  const lines = ['  rejections by code:'];
  const codes = Object.entries(rejections);
  if (codes.length === 0) lines.push('    none');
  const width = Math.max(0, ...codes.map(([c]) => c.length));
  for (const [code, n] of codes) lines.push(`    ${code.padEnd(width)}  ${int(n).padStart(9)}`);
  return lines;
}

function busLine(s: { bus: string; durable: boolean; workers: number; shards: number }): string {
  const durability = s.durable ? 'durable: acknowledged commands survive a crash' : 'NOT durable: in-process, state is lost when the process exits';
  return `  bus: ${s.bus} (${durability}), ${counted(s.workers, 'worker')}, ${counted(s.shards, 'shard')}`;
}
