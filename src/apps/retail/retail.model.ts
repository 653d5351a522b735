/**
 * The retail execution model: master data (territories, products and their units, price lists and
 * prices, promotions, outlets and their contacts), the field work of reps (route plans, visits with
 * surveys and shelf audits) and orders. Glossary: rep = a member who visits outlets; territory = a
 * set of outlets a rep (or a manager's team) covers; route plan = which outlets a rep visits when.
 * Every change goes through `tenantry db generate`.
 */
import { order, orderLine, routeStop, shelfCheck, surveyForm, surveyResponse, visit } from './retail-field-work.model.ts';
import { outlet, outletContact, price, priceList, product, productUnit, promotion, repTerritory, territory } from './retail-master-data.model.ts';

export { channels, taxClasses, units } from './retail-fields.ts';
export { outlet, outletContact, price, priceList, product, productUnit, promotion, repTerritory, territory } from './retail-master-data.model.ts';
export { order, orderLine, routeStop, shelfCheck, surveyForm, surveyResponse, visit } from './retail-field-work.model.ts';

export const retailEntities = [
  territory,
  repTerritory,
  product,
  productUnit,
  priceList,
  price,
  promotion,
  outlet,
  outletContact,
  routeStop,
  visit,
  surveyForm,
  surveyResponse,
  shelfCheck,
  order,
  orderLine,
] as const;
