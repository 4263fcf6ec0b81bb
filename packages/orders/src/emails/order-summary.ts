import { formatMoney } from '../money.ts';
import type { EmailOrder } from './email-order.ts';
import { escapeHtml } from './escape-html.ts';

interface TotalRow {
  label: string;
  amount: string;
}

function totalRows(order: EmailOrder): TotalRow[] {
  const money = (amount: number) => formatMoney(amount, order.currency);
  const { subtotal, discount, shipping, tax, total } = order.amounts;
  const rows: TotalRow[] = [{ label: 'Subtotal', amount: money(subtotal) }];
  if (discount !== 0) rows.push({ label: 'Discount', amount: money(-Math.abs(discount)) });
  rows.push(
    { label: 'Shipping', amount: money(shipping) },
    { label: 'Tax', amount: money(tax) },
    { label: 'Total', amount: money(total) },
  );
  return rows;
}

const cell = 'padding:8px 0;border-bottom:1px solid #e4e4e7;';
const numberCell = `${cell}text-align:right;white-space:nowrap;`;

/** Items and totals as an HTML table; every supplied string is escaped. */
export function orderSummaryHtml(order: EmailOrder): string {
  const items = order.items
    .map(
      (item) =>
        `<tr><td style="${cell}">${escapeHtml(item.description)}</td>` +
        `<td style="${numberCell}">${item.quantity}</td>` +
        `<td style="${numberCell}">${escapeHtml(formatMoney(item.amountTotal, order.currency))}</td></tr>`,
    )
    .join('\n');
  const totals = totalRows(order)
    .map((row) => {
      const weight = row.label === 'Total' ? 'font-weight:bold;' : '';
      return (
        `<tr><td colspan="2" style="padding:4px 0;${weight}">${row.label}</td>` +
        `<td style="padding:4px 0;text-align:right;white-space:nowrap;${weight}">${escapeHtml(row.amount)}</td></tr>`
      );
    })
    .join('\n');
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:16px 0;">
<tr><th align="left" style="${cell}">Item</th><th align="right" style="${numberCell}">Qty</th><th align="right" style="${numberCell}">Total</th></tr>
${items}
${totals}
</table>`;
}

/** Items and totals as plain text lines. */
export function orderSummaryText(order: EmailOrder): string {
  const items = order.items.map(
    (item) => `- ${item.description} x ${item.quantity}: ${formatMoney(item.amountTotal, order.currency)}`,
  );
  const totals = totalRows(order).map((row) => `${row.label}: ${row.amount}`);
  return [...items, '', ...totals].join('\n');
}
