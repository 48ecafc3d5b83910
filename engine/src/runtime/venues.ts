// The venues an engine knows by name. Layouts are compiled once per venue and shared by every
// performance in it (the layout is ~80 bytes a seat; a performance adds ~7). Venues are
// configuration, not journal content: a 60,000-seat layout is megabytes of JSON, more than one
// journal message may carry, so the journal names the venue and each snapshot pins its hash.
import { clubLayout, compileLayout, stadiumLayout, theatreLayout, type Layout, type LayoutJson, type Rejection } from '../domain/mod.ts';

const builtIn: Record<string, () => LayoutJson> = {
  stadium: stadiumLayout,
  theatre: theatreLayout,
  club: clubLayout,
};

/** Why a venue's layout does not compile, in one line: its code and the path into its document. */
export function notCompiled(name: string, refusal: Rejection): string {
  return `venue ${name} does not compile: ${refusal.name} at ${refusal.field === '' ? 'the document' : refusal.field}: ${refusal.message}`;
}

export class VenueCatalog {
  private readonly compiled = new Map<string, Layout | Rejection>();
  constructor(private readonly custom: Record<string, LayoutJson> = {}) {}

  names(): string[] {
    return [...new Set([...Object.keys(builtIn), ...Object.keys(this.custom)])];
  }

  /**
   * The compiled layout; the layout's refusal (LAYOUT_*, its field a path into the venue's
   * document) for a custom venue that does not compile; null when the name is unknown. Either
   * outcome is kept: a venue is compiled once.
   */
  layout(name: string): Layout | Rejection | null {
    const known = this.compiled.get(name);
    if (known !== undefined) return known;
    const custom = Object.hasOwn(this.custom, name);
    if (!custom && !Object.hasOwn(builtIn, name)) return null;
    const result = compileLayout(custom ? this.custom[name] : builtIn[name]());
    const outcome = result.ok ? result.layout : result;
    this.compiled.set(name, outcome);
    return outcome;
  }

  /** A venue that must be there and compile (the built-in ones the simulator plays in); throws otherwise. */
  known(name: string): Layout {
    const outcome = this.layout(name);
    if (outcome === null) throw new Error(`venue ${name} is not known`);
    if ('ok' in outcome) throw new Error(notCompiled(name, outcome));
    return outcome;
  }

  /** The first custom venue that does not compile, with its refusal, or null: an engine checks them as it starts. */
  firstInvalid(): { name: string; refusal: Rejection } | null {
    for (const name of Object.keys(this.custom)) {
      const outcome = this.layout(name);
      if (outcome !== null && 'ok' in outcome) return { name, refusal: outcome };
    }
    return null;
  }
}
