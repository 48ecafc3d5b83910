import { measureSeasonCards, measureCardBaseline } from './runtime/season-cards.ts';
import { Failures } from './runtime/drive.ts';
import { compileStadium } from './runtime/workload.ts';
const layout = compileStadium();
const f = new Failures();
const which = process.argv[2] ?? 'cards';
const secs = Number(process.argv[3] ?? 3);
const r = which === 'cards' ? measureSeasonCards(layout, secs, f) : measureCardBaseline(layout, secs, f);
console.log(which, Math.round(r.perSec), JSON.stringify(f));
