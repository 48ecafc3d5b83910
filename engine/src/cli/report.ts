// The readable form of a simulation summary, for people; `--json` prints the same as one line.
import type { SimulationSummary } from '../sim/simulate.ts';

const int = (n: number) => n.toLocaleString('en-US');
const clock = (ms: number | null) => {
  if (ms === null) return 'never';
  const s = Math.round(ms / 1_000);
  return `T+${Math.floor(s / 3_600)}:${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

export function renderReport(s: SimulationSummary): string {
  const lines: string[] = [];
  lines.push(`On-sale simulation "${s.scenario}", seed ${s.seed}`);
  lines.push(`  bus: ${s.bus} (${s.durable ? 'durable: acknowledged commands survive a crash' : 'NOT durable: in-process, state is lost when the process exits'}), ${s.workers} workers, ${s.shards} shards`);
  lines.push('');
  for (const p of s.performances) {
    const pct = ((100 * p.sold) / p.capacity).toFixed(1);
    lines.push(`  ${p.performanceId}: sold ${int(p.sold)} of ${int(p.capacity)} seats (${pct} %)`);
  }
  lines.push(`  buyers ${int(s.buyers)}, revenue ${(s.revenueMinor / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
  lines.push(`  web sold out at ${clock(s.sellOutMs)} (simulated time from opening), last sale at ${clock(s.lastSaleMs)}`);
  lines.push(`  ${int(s.turnedAway)} buyer visits saw too few seats on the map and left`);
  lines.push(`  holds: ${int(s.holds.made)} made, ${int(s.holds.confirmed)} confirmed, ${int(s.holds.released)} released, ${int(s.holds.expired)} expired`);
  lines.push('');
  lines.push(`  commands ${int(s.commands)} in ${int(s.wallMs)} ms wall: ${int(s.commandsPerSec)} commands/s`);
  lines.push(`  latency submit → reply: p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms`);
  lines.push('');
  lines.push('  rejections by code:');
  const codes = Object.entries(s.rejections);
  if (codes.length === 0) lines.push('    none');
  const width = Math.max(0, ...codes.map(([c]) => c.length));
  for (const [code, n] of codes) lines.push(`    ${code.padEnd(width)}  ${int(n).padStart(9)}`);
  lines.push('');
  lines.push(`  checks: seats sold twice ${s.checks.seatsSoldTwice}, buyers over the cap of ${s.limits.maxTicketsPerBuyerPerPerformance}: ${s.checks.buyersOverCap}`);
  return lines.join('\n');
}
