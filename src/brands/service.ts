// Owns brands as the rest of Foyer sees them: saving one (checked: settings, colour contrast, a purpose
// belongs to one brand at most), its logo and template overrides (checked before anything is stored), which
// brand a client belongs to, and a snapshot of all of it that pages read without a query each time.
import { AppError } from '../errors/app-error.ts';
import { contrastProblems } from './colours.ts';
import { checkLogo } from './logo.ts';
import { ownerOf } from './offers.ts';
import type { BrandQueries } from './queries.ts';
import { BRAND_ID, DEFAULT_COLOURS, TEMPLATE_NAME, type BrandSettings } from './schema.ts';
import { checkTemplate } from './templates.ts';
import { brandView, DEFAULT_BRAND, type BrandView } from './view.ts';

export interface BrandSnapshot {
  brands: ReadonlyMap<string, BrandView>;
  clientBrand: ReadonlyMap<string, string>;
  /** Template overrides by brand id, then partial name. */
  templates: ReadonlyMap<string, ReadonlyMap<string, string>>;
  brandOfClient(clientId: string | undefined): BrandView | undefined;
}

export interface BrandsDeps {
  queries: BrandQueries;
  /** The name of the default brand until an operator names it (config `brandName`). */
  defaultName: string;
  /** The partials a brand may override (those the views have). */
  templateNames: () => readonly string[];
  /** How long a snapshot is served before it is read again (other instances' changes). */
  snapshotSeconds?: number;
  /** Overrides read from the templates folder at start (brand id → partial → source); those saved in the database win. */
  folderTemplates?: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

const notFound = () => new AppError('brand.not_found', 'There is no such brand.', 404);

export function checkBrandId(id: string): string {
  if (!BRAND_ID.test(id)) throw new AppError('brand.invalid_id', 'A brand id (slug) is 1–40 lowercase letters, digits or hyphens, not starting or ending with a hyphen.', 400);
  return id;
}

export function createBrands(deps: BrandsDeps) {
  const { queries } = deps;
  let snapshot: { value: BrandSnapshot; at: number } | undefined;

  async function load(): Promise<BrandSnapshot> {
    const [rows, links, templateRows] = await Promise.all([queries.listBrands(), queries.listClientBrands(), queries.listTemplates()]);
    const brands = new Map(rows.map((r) => [r.id, brandView(r, deps.defaultName)]));
    const clientBrand = new Map(links.map((l) => [l.clientId, l.brandId]));
    const templates = new Map<string, Map<string, string>>([...deps.folderTemplates ?? []].map(([brand, own]) => [brand, new Map(own)]));
    for (const t of templateRows) templates.set(t.brandId, (templates.get(t.brandId) ?? new Map()).set(t.name, t.source));
    return {
      brands, clientBrand, templates,
      brandOfClient: (clientId) => brands.get((clientId && clientBrand.get(clientId)) || DEFAULT_BRAND) ?? brands.get(DEFAULT_BRAND),
    };
  }
  const changed = () => {
    snapshot = undefined;
  };
  const requireBrand = async (id: string) => {
    const row = await queries.findBrand(checkBrandId(id));
    if (!row) throw notFound();
    return row;
  };

  return {
    /** All brands and who belongs where, at most `snapshotSeconds` old (changes made here show at once). */
    async current(): Promise<BrandSnapshot> {
      if (snapshot && Date.now() - snapshot.at < (deps.snapshotSeconds ?? 5) * 1000) return snapshot.value;
      const value = await load();
      snapshot = { value, at: Date.now() };
      return value;
    },
    async list(): Promise<BrandView[]> {
      return [...(await load()).brands.values()];
    },
    async find(id: string): Promise<BrandView> {
      return brandView(await requireBrand(id), deps.defaultName);
    },
    /** Creates or replaces a brand's settings; 400 when a colour pair is below 4.5:1, 409 when a purpose or topic is another brand's. */
    async save(id: string, settings: BrandSettings): Promise<{ brand: BrandView; created: boolean }> {
      checkBrandId(id);
      const problems = contrastProblems({ ...DEFAULT_COLOURS, ...settings.colours });
      if (problems.length) throw new AppError('brand.low_contrast', `The brand colours are not readable enough: ${problems.join('; ')}.`, 400);
      const current = await load();
      for (const kind of ['purposes', 'topics'] as const) {
        for (const entry of settings[kind] ?? []) {
          const owner = ownerOf([...current.brands.values()].filter((b) => b.id !== id), kind, entry);
          const what = kind === 'purposes' ? 'purpose' : 'topic';
          if (owner) throw new AppError(`brand.${what}_taken`, `The ${what} ${entry} already belongs to the brand ${owner.id}; a ${what} belongs to one brand, or to none (shared by all).`, 409);
        }
      }
      const { name, ...rest } = settings;
      const created = await queries.upsertBrand(id, name, rest);
      changed();
      return { brand: await this.find(id), created };
    },
    async remove(id: string): Promise<void> {
      if (checkBrandId(id) === DEFAULT_BRAND) throw new AppError('brand.default', 'The default brand cannot be removed; rename it instead.', 409);
      if (!(await queries.removeBrand(id))) throw notFound();
      changed();
    },
    async setLogo(id: string, bytes: Uint8Array): Promise<BrandView> {
      const logo = checkLogo(bytes);
      await requireBrand(id);
      await queries.setLogo(id, logo);
      changed();
      return this.find(id);
    },
    async removeLogo(id: string): Promise<void> {
      await requireBrand(id);
      await queries.setLogo(id, null);
      changed();
    },
    logo: (id: string) => (BRAND_ID.test(id) ? queries.findLogo(id) : Promise.resolve(undefined)),
    async saveTemplate(id: string, name: string, source: string): Promise<void> {
      if (!TEMPLATE_NAME.test(name) || !deps.templateNames().includes(name)) {
        throw new AppError('brand.template_unknown', `There is no template named ${name.slice(0, 60)} to override; these can be: ${deps.templateNames().join(', ')}.`, 400);
      }
      checkTemplate(source);
      await requireBrand(id);
      await queries.saveTemplate(id, name, source);
      changed();
    },
    async removeTemplate(id: string, name: string): Promise<void> {
      if (!(await queries.removeTemplate(checkBrandId(id), name.slice(0, 200)))) throw new AppError('brand.template_not_found', 'This brand does not override that template.', 404);
      changed();
    },
    /** Puts a client in a brand (the default brand: takes it out of any other). */
    async assignClient(clientId: string, brandId: string): Promise<void> {
      await requireBrand(brandId);
      if (brandId === DEFAULT_BRAND) await queries.clearClientBrand(clientId);
      else await queries.setClientBrand(clientId, brandId);
      changed();
    },
  };
}

export type Brands = ReturnType<typeof createBrands>;
