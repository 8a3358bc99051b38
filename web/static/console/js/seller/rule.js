// The pricing rule form (publish, storefront default) and its summary in words.
import { field, money } from '../ui.js';

const kinds = [['MARKUP_PERCENT', 'Markup in percent on wholesale'], ['MARKUP_FIXED', 'Fixed markup on wholesale'], ['FIXED_PRICE', 'Fixed price'], ['SUGGESTED_RETAIL', "Supplier's suggested retail price"]];
const roundings = [['NONE', 'No rounding'], ['CHARM_99', 'Up to .99'], ['WHOLE', 'Up to a whole amount']];

// ruleFields returns the inputs of a rule; ids are prefixed (pub-kind, pub-markup, …).
export function ruleFields(p, rule = null) {
  return [
    field('Pricing rule', 'kind', { id: `${p}-kind`, options: kinds, value: rule?.kind || 'MARKUP_PERCENT' }),
    field('Markup %', 'markupPercent', { id: `${p}-markup`, type: 'number', value: rule ? rule.markupBps / 100 : 40, attrs: { min: 0, max: 1000, step: 0.01 } }),
    field('Amount', 'amount', { id: `${p}-amount`, value: rule && rule.amount && rule.amount.amount !== '0.00' ? rule.amount.amount : '', attrs: { inputmode: 'decimal', placeholder: '5.00', size: 8 } }),
    field('Rounding', 'rounding', { id: `${p}-rounding`, options: roundings, value: rule?.rounding || 'CHARM_99' }),
    field('Minimum margin %', 'minMarginPercent', { id: `${p}-min-margin`, type: 'number', value: rule?.minMarginBps != null ? rule.minMarginBps / 100 : '', attrs: { min: 0, max: 90, step: 0.01 } }),
    field("Raise to the minimum resale price", 'clampToFloor', { id: `${p}-clamp`, type: 'checkbox', value: rule ? rule.clampToFloor : true }),
  ];
}

// ruleInput reads the rule fields into a PricingRuleInput, refusing what the API would.
export function ruleInput(form, p) {
  const v = (s) => form.querySelector(`#${p}-${s}`);
  const kind = v('kind').value;
  const r = { kind, rounding: v('rounding').value, clampToFloor: v('clamp').checked };
  if (kind === 'MARKUP_PERCENT') {
    const pct = Number(v('markup').value);
    if (!(pct >= 0)) throw new Error('Enter the markup in percent, e.g. 40 for 40 %.');
    r.markupBps = Math.round(pct * 100);
  }
  if (kind === 'MARKUP_FIXED' || kind === 'FIXED_PRICE') {
    const a = v('amount').value.trim();
    if (!/^\d+(\.\d{1,2})?$/.test(a)) throw new Error(`Enter the ${kind === 'FIXED_PRICE' ? 'price' : 'markup'} as an amount, e.g. 5.00.`);
    r.amount = a;
  }
  const mm = v('min-margin').value;
  if (mm !== '') r.minMarginBps = Math.round(Number(mm) * 100);
  return r;
}

export function ruleText(r) {
  if (!r) return 'inherited (storefront default, else suggested retail)';
  const parts = {
    MARKUP_PERCENT: `wholesale + ${r.markupBps / 100} %`,
    MARKUP_FIXED: `wholesale + ${money(r.amount)}`,
    FIXED_PRICE: `fixed ${money(r.amount)}`,
    SUGGESTED_RETAIL: 'suggested retail',
  };
  const extra = [];
  if (r.rounding && r.rounding !== 'NONE' && r.kind !== 'FIXED_PRICE') extra.push(r.rounding === 'CHARM_99' ? 'rounded up to .99' : 'rounded up to whole');
  if (r.minMarginBps) extra.push(`min. margin ${r.minMarginBps / 100} %`);
  if (r.clampToFloor) extra.push('raised to the floor');
  return [parts[r.kind] || r.kind, ...extra].join(', ');
}
