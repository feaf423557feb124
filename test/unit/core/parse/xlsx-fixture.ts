import { strToU8, type ZipOptions, zipSync } from 'fflate';

/** One worksheet: its tab name and the raw `<row>` elements that go inside `<sheetData>`. */
export interface SheetFixture {
  readonly name: string;
  readonly rows: string;
}

export interface WorkbookFixture {
  readonly sheets: readonly SheetFixture[];
  /** Plain strings; written escaped, one `<si><t>` each. */
  readonly sharedStrings?: readonly string[];
  /** Custom number formats (ids from 164, as Excel numbers them). */
  readonly numFmts?: readonly { readonly id: number; readonly code: string }[];
  /** `numFmtId` of each cell style, by style index (`s="1"` is the second). */
  readonly cellXfs?: readonly number[];
  readonly date1904?: boolean;
  /** Deflate level for every part; 0 stores them uncompressed. */
  readonly level?: ZipOptions['level'];
  /** Replaces or adds raw parts (e.g. a hand-written sharedStrings.xml). */
  readonly parts?: Readonly<Record<string, string>>;
  /** Leaves parts out (e.g. the workbook, to make the archive unreadable). */
  readonly omit?: readonly string[];
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A minimal but complete .xlsx, shaped like the files Excel writes. */
export function buildXlsx(fixture: WorkbookFixture): Uint8Array {
  const parts: Record<string, string> = {
    '[Content_Types].xml': contentTypes(fixture.sheets.length),
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="${PKG_REL_NS}"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': workbook(fixture),
    'xl/_rels/workbook.xml.rels': workbookRels(fixture.sheets.length),
    'xl/sharedStrings.xml': sharedStrings(fixture.sharedStrings ?? []),
    'xl/styles.xml': styles(fixture),
  };
  fixture.sheets.forEach((sheet, i) => {
    parts[`xl/worksheets/sheet${i + 1}.xml`] =
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="${NS}" xmlns:r="${REL_NS}"><dimension ref="A1"/><sheetData>${sheet.rows}</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`;
  });
  Object.assign(parts, fixture.parts ?? {});
  for (const name of fixture.omit ?? []) delete parts[name];
  const files = Object.fromEntries(
    Object.entries(parts).map(([name, xml]) => [name, strToU8(xml)] as const),
  );
  return zipSync(files, { level: fixture.level ?? 6 });
}

function contentTypes(sheetCount: number): string {
  const sheets = Array.from(
    { length: sheetCount },
    (_, i) =>
      `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
  ).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheets}</Types>`;
}

function workbook(fixture: WorkbookFixture): string {
  const sheets = fixture.sheets
    .map(
      (sheet, i) =>
        `<sheet name="${escapeXml(sheet.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`,
    )
    .join('');
  const pr = fixture.date1904 ? '<workbookPr date1904="1"/>' : '<workbookPr/>';
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="${NS}" xmlns:r="${REL_NS}">${pr}<bookViews><workbookView/></bookViews><sheets>${sheets}</sheets></workbook>`;
}

/** Sheets are rId1…rIdN; shared strings and styles come after them, as Excel orders them. */
function workbookRels(sheetCount: number): string {
  const sheets = Array.from(
    { length: sheetCount },
    (_, i) =>
      `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
  ).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="${PKG_REL_NS}">${sheets}<Relationship Id="rId${sheetCount + 1}" Type="${REL_NS}/styles" Target="styles.xml"/><Relationship Id="rId${sheetCount + 2}" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`;
}

function sharedStrings(strings: readonly string[]): string {
  const items = strings.map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`);
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="${NS}" count="${strings.length}" uniqueCount="${strings.length}">${items.join('')}</sst>`;
}

function styles(fixture: WorkbookFixture): string {
  const numFmts = fixture.numFmts ?? [];
  const formats = numFmts.length
    ? `<numFmts count="${numFmts.length}">${numFmts
        .map((f) => `<numFmt numFmtId="${f.id}" formatCode="${escapeXml(f.code)}"/>`)
        .join('')}</numFmts>`
    : '';
  const xfs = (fixture.cellXfs ?? [0])
    .map((id) => `<xf numFmtId="${id}" fontId="0" fillId="0" borderId="0" xfId="0"/>`)
    .join('');
  // cellStyleXfs carries a date format on purpose: only cellXfs may decide what a cell shows
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="${NS}">${formats}<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="14" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="${(fixture.cellXfs ?? [0]).length}">${xfs}</cellXfs></styleSheet>`;
}
