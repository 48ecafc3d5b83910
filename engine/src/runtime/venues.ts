// The venues an engine knows by name. Layouts are compiled once per venue and shared by every
// performance in it (the layout is ~80 bytes a seat; a performance adds ~7). Venues are
// configuration, not journal content: a 60,000-seat layout is megabytes of JSON, more than one
// journal message may carry, so the journal names the venue and each snapshot pins its hash.
import { clubLayout, compileLayout, stadiumLayout, theatreLayout, type Layout, type LayoutJson } from '../domain/mod.ts';

const builtIn: Record<string, () => LayoutJson> = {
  stadium: stadiumLayout,
  theatre: theatreLayout,
  club: clubLayout,
};

export class VenueCatalog {
  private readonly compiled = new Map<string, Layout>();
  constructor(private readonly custom: Record<string, LayoutJson> = {}) {}

  names(): string[] {
    return [...new Set([...Object.keys(builtIn), ...Object.keys(this.custom)])];
  }

  /** The compiled layout, or null when the name is unknown. Throws on an invalid custom layout. */
  layout(name: string): Layout | null {
    const known = this.compiled.get(name);
    if (known !== undefined) return known;
    const json = Object.hasOwn(this.custom, name) ? this.custom[name] : Object.hasOwn(builtIn, name) ? builtIn[name]() : null;
    if (json === null) return null;
    const result = compileLayout(json);
    if (!result.ok) throw new Error(`venue ${name}: ${result.name} at ${result.field}: ${result.message}`);
    this.compiled.set(name, result.layout);
    return result.layout;
  }
}
