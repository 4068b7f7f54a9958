/** Formats a number for tables: integers as they are, others with `digits` significant digits (exponent when tiny/huge). */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(digits - 1);
  return value.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

function cell(value: string | number): string {
  return typeof value === 'number' ? formatNumber(value) : value;
}

/** A plain-text table with a header rule, columns padded to their widest cell. */
export function textTable(columns: string[], rows: (string | number)[][]): string {
  const cells = rows.map((row) => columns.map((_, index) => cell(row[index] ?? '')));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((row) => row[index]!.length)));
  const line = (row: string[]) =>
    row
      .map((text, index) => text.padEnd(widths[index]!))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

function markdownCell(value: string | number): string {
  return cell(value).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured markdown table. */
export function markdownTable(columns: string[], rows: (string | number)[][]): string {
  const header = `| ${columns.map(markdownCell).join(' | ')} |`;
  const rule = `| ${columns.map(() => '---').join(' | ')} |`;
  const body = rows.map((row) => `| ${columns.map((_, index) => markdownCell(row[index] ?? '')).join(' | ')} |`);
  return [header, rule, ...body].join('\n');
}
