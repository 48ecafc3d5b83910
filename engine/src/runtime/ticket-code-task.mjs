// piscina loads this file in each pool thread; it lets the thread load the TypeScript task.
import { register } from 'tsx/esm/api';

register();
const task = await import('./ticket-code-task.ts');
export default task.default;
