/**
 * Demo data of the retail app, so a newcomer has something real to look at: 8 territories, 500
 * products with units, two price lists and promotions, 2,000 outlets with positions, 16 reps and 2
 * managers with their territories and route plans, a survey form, and two weeks of visits (checked
 * in and out, some missed) with shelf checks, survey answers and orders (priced by the server on
 * submit, most approved, some fulfilled, rejected or cancelled). Deterministic (a seeded generator)
 * and relative to today. Reps and managers are user ids without an account (see the README).
 */
import type { SeedApi } from '../../kernel/model/index.ts';
import {
  channels,
  order,
  orderLine,
  outlet,
  price,
  priceList,
  product,
  productUnit,
  promotion,
  repTerritory,
  routeStop,
  shelfCheck,
  surveyForm,
  surveyResponse,
  territory,
  visit,
} from './retail.model.ts';

const brands = ['Alpina', 'Borealis', 'Cascade', 'Dunmore', 'Everfresh', 'Fjord', 'Granola', 'Horizon'];
const categories = ['dairy', 'beverages', 'snacks', 'household', 'personal care'];
const regions = [
  { code: 'LYO', name: 'Lyon', latitude: 45.764, longitude: 4.8357, country: 'FR' },
  { code: 'PAR', name: 'Paris', latitude: 48.8566, longitude: 2.3522, country: 'FR' },
  { code: 'MRS', name: 'Marseille', latitude: 43.2965, longitude: 5.3698, country: 'FR' },
  { code: 'CAS', name: 'Casablanca', latitude: 33.5731, longitude: -7.5898, country: 'MA' },
  { code: 'RBA', name: 'Rabat', latitude: 34.0209, longitude: -6.8416, country: 'MA' },
  { code: 'BRU', name: 'Brussels', latitude: 50.8503, longitude: 4.3517, country: 'BE' },
  { code: 'GVA', name: 'Geneva', latitude: 46.2044, longitude: 6.1432, country: 'CH' },
  { code: 'TNG', name: 'Tangier', latitude: 35.7595, longitude: -5.834, country: 'MA' },
];
export const seedSizes = { products: 500, outletsPerTerritory: 250, repsPerTerritory: 2, stopsPerRep: 20, days: 10, visitsPerDay: 4 };

/** mulberry32: a small deterministic generator, so every demo tenant looks the same. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!, between: (low: number, high: number) => low + Math.floor(next() * (high - low + 1)) };
}

/** A stable id for a demo person, so the same rep has the same id in every demo tenant. */
const personId = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** The last `count` working days (Monday to Friday) before today, oldest first, with their weekday (1 = Monday). */
function workingDays(count: number): { date: string; offset: number; weekday: number }[] {
  const days: { date: string; offset: number; weekday: number }[] = [];
  for (let offset = -1; days.length < count; offset--) {
    const weekday = ((new Date(Date.now() + offset * 86_400_000).getUTCDay() + 6) % 7) + 1;
    if (weekday <= 5) days.unshift({ date: day(offset), offset, weekday });
  }
  return days;
}

export async function seedRetail(api: SeedApi): Promise<void> {
  const random = generator(20261121);
  const territories = await api.insert(territory, regions.map((region) => ({ code: region.code, name: region.name })));

  // Reps cover one territory each, managers four (their team's).
  const reps = territories.flatMap((area, index) => Array.from({ length: seedSizes.repsPerTerritory }, (_, slot) => ({ id: personId(100 + index * 10 + slot), territory: area.id })));
  const managers = [personId(1), personId(2)];
  await api.insert(repTerritory, [
    ...reps.map((rep) => ({ rep: rep.id, territory: rep.territory })),
    ...territories.map((area, index) => ({ rep: managers[index < 4 ? 0 : 1]!, territory: area.id })),
  ]);

  const products = await api.insert(
    product,
    Array.from({ length: seedSizes.products }, (_, index) => {
      const brand = brands[index % brands.length]!;
      const category = categories[index % categories.length]!;
      return {
        sku: `SKU-${String(index + 1).padStart(5, '0')}`,
        gtin: String(4_000_000_000_000 + index * 7),
        name: `${brand} ${category} ${index + 1}`,
        localizedName: { en: `${brand} ${category} ${index + 1}`, fr: `${brand} ${category} n°${index + 1}` },
        brand,
        category,
        baseUnit: 'EA',
        taxClass: category === 'dairy' ? 'reduced' : 'standard',
        listPrice: { amount: 99 + ((index * 37) % 2000), currency: 'EUR' },
        // A few are delisted: shown in the catalogue, refused in orders.
        active: index % 41 !== 40,
      };
    }),
  );
  const sellable = products.filter((item) => item.active);
  await api.insert(
    productUnit,
    products.filter((_, index) => index % 4 === 0).map((item) => ({ product: item.id, unit: 'CS', factor: '12.000' })),
  );

  const [standard, horeca] = await api.insert(priceList, [
    { code: 'STD', name: 'Standard', currency: 'EUR' },
    { code: 'HORECA', name: 'Hotels, restaurants, cafés', currency: 'EUR' },
  ]);
  const validFrom = day(-120);
  await api.insert(price, [
    ...products.map((item) => ({ priceList: standard!.id, product: item.id, unit: 'EA', amount: item.listPrice, validFrom })),
    ...products.slice(0, 150).map((item) => ({ priceList: horeca!.id, product: item.id, unit: 'EA', amount: { amount: Math.round(((item.listPrice as { amount: number }).amount * 11) / 10), currency: 'EUR' }, validFrom })),
    // Pharmacies pay less for personal care.
    ...products.filter((item) => item.category === 'personal care').slice(0, 40).map((item) => ({ priceList: standard!.id, product: item.id, unit: 'EA', channel: 'pharmacy', amount: { amount: Math.round(((item.listPrice as { amount: number }).amount * 9) / 10), currency: 'EUR' }, validFrom })),
  ]);
  await api.insert(promotion, [
    ...sellable.slice(0, 4).map((item, index) => ({ code: `PCT-${index + 1}`, name: `${item.name}: 10% off`, kind: 'percentage', percent: '10.00', product: item.id, validFrom: day(-30), validTo: day(30) })),
    ...sellable.slice(4, 7).map((item, index) => ({ code: `FIX-${index + 1}`, name: `${item.name}: 0.20 off`, kind: 'fixed', amountOff: { amount: 20, currency: 'EUR' }, product: item.id, validFrom: day(-30), validTo: day(30) })),
    ...sellable.slice(7, 10).map((item, index) => ({ code: `B3G1-${index + 1}`, name: `${item.name}: buy 3, get 1 free`, kind: 'buyXGetY', buyQuantity: 3, freeQuantity: 1, product: item.id, validFrom: day(-30), validTo: day(30) })),
    { code: 'KIOSK-5', name: 'Kiosks: 5% on everything', kind: 'percentage', percent: '5.00', channel: 'kiosk', validFrom: day(-30), validTo: day(60) },
    { code: 'OLD-15', name: 'Last season: 15% (expired)', kind: 'percentage', percent: '15.00', validFrom: day(-200), validTo: day(-100) },
  ]);

  const outlets = await api.insert(
    outlet,
    territories.flatMap((area, areaIndex) => {
      const region = regions[areaIndex]!;
      return Array.from({ length: seedSizes.outletsPerTerritory }, (_, index) => {
        const channel = channels[(index * 7 + areaIndex) % channels.length]!;
        return {
          code: `${region.code}-${String(index + 1).padStart(4, '0')}`,
          name: `${['Épicerie', 'Market', 'Kiosk', 'Pharmacie', 'Café', 'Supérette'][index % 6]} ${region.name} ${index + 1}`,
          legalName: `${region.name} Retail ${index + 1} SARL`,
          channel,
          segment: ['A', 'B', 'B', 'C', 'C'][index % 5],
          street: `${index + 1} rue du Commerce`,
          postalCode: String(10_000 + index * 3).slice(0, 5),
          city: region.name,
          country: region.country,
          latitude: (region.latitude + (random.next() - 0.5) * 0.2).toFixed(6),
          longitude: (region.longitude + (random.next() - 0.5) * 0.2).toFixed(6),
          creditLimit: { amount: 500_000 + (index % 10) * 100_000, currency: 'EUR' },
          balance: { amount: (index % 7) * 12_500, currency: 'EUR' },
          paymentTermsDays: [0, 15, 30, 45][index % 4],
          minimumOrder: { amount: 1_500, currency: 'EUR' },
          priceList: channel === 'horeca' ? horeca!.id : standard!.id,
          territory: area.id,
        };
      });
    }),
  );

  // Route plans: each rep visits 20 outlets of the territory, four a day from Monday to Friday.
  const outletsOf = new Map<string, typeof outlets>();
  for (const item of outlets) outletsOf.set(item.territory as string, [...(outletsOf.get(item.territory as string) ?? []), item]);
  const routes = reps.map((rep, repIndex) => {
    const own = outletsOf.get(rep.territory)!.filter((_, index) => index % seedSizes.repsPerTerritory === repIndex % seedSizes.repsPerTerritory).slice(0, seedSizes.stopsPerRep);
    return { rep, stops: own.map((item, index) => ({ outlet: item, weekday: (index % 5) + 1, sequence: Math.floor(index / 5) + 1 })) };
  });
  await api.insert(routeStop, routes.flatMap(({ rep, stops }) => stops.map((stop) => ({ rep: rep.id, outlet: stop.outlet.id, territory: rep.territory, weekday: stop.weekday, sequence: stop.sequence }))));

  const [form] = await api.insert(surveyForm, [
    {
      code: 'shelf-basics',
      formVersion: 1,
      title: { en: 'Shelf basics', fr: 'Les bases du rayon' },
      definition: {
        questions: [
          { id: 'clean', type: 'boolean', label: { en: 'Shelf clean and tidy?', fr: 'Rayon propre et rangé ?' }, required: true },
          { id: 'posm', type: 'choice', options: ['none', 'poster', 'display', 'both'], label: { en: 'Promotional material', fr: 'PLV' }, required: true },
          { id: 'shareOfShelf', type: 'number', min: 0, max: 100, label: { en: 'Share of shelf (%)', fr: 'Part de linéaire (%)' }, required: false },
          { id: 'competitor', type: 'text', maxLength: 200, label: { en: 'Competitor activity', fr: 'Activité concurrente' }, required: false, showIf: { question: 'posm', equals: 'none' } },
        ],
      },
    },
  ]);

  // Two weeks of field work: the route's stops of each past working day, and today's plan.
  const days = workingDays(seedSizes.days);
  const planned = routes.flatMap(({ rep, stops }) =>
    days.flatMap((date) => stops.filter((stop) => stop.weekday === date.weekday).slice(0, seedSizes.visitsPerDay).map((stop) => ({ rep, stop, date }))),
  );
  const visits = await api.insert(
    visit,
    planned.map(({ rep, stop, date }) => ({ outlet: stop.outlet.id, rep: rep.id, territory: rep.territory, plannedFor: date.date })),
  );
  const completed: { visit: (typeof visits)[number]; plan: (typeof planned)[number] }[] = [];
  for (const [index, item] of visits.entries()) {
    const plan = planned[index]!;
    if (random.next() < 0.1) {
      await api.perform(visit, item.id, 'markMissed');
      continue;
    }
    const at = new Date(`${plan.date.date}T${String(8 + plan.stop.sequence * 2).padStart(2, '0')}:${String(random.between(0, 59)).padStart(2, '0')}:00Z`);
    const latitude = Number(plan.stop.outlet.latitude) + (random.next() < 0.08 ? 0.01 : (random.next() - 0.5) * 0.0008);
    const longitude = Number(plan.stop.outlet.longitude) + (random.next() - 0.5) * 0.0008;
    await api.perform(visit, item.id, 'checkIn', { latitude: latitude.toFixed(6), longitude: longitude.toFixed(6), at: at.toISOString() });
    await api.perform(visit, item.id, 'complete', { at: new Date(at.getTime() + random.between(10, 45) * 60_000).toISOString() });
    completed.push({ visit: item, plan });
  }
  // Planned for the next working days: what a rep's phone shows this morning.
  await api.insert(
    visit,
    routes.flatMap(({ rep, stops }) => stops.slice(0, 4).map((stop) => ({ outlet: stop.outlet.id, rep: rep.id, territory: rep.territory, plannedFor: day(1) }))),
  );

  await api.insert(
    surveyResponse,
    completed.filter((_, index) => index % 3 === 0).map(({ visit: item, plan }) => ({
      visit: item.id,
      form: form!.id,
      rep: plan.rep.id,
      territory: plan.rep.territory,
      answers: { clean: random.next() < 0.8, posm: random.pick(['none', 'poster', 'display', 'both']), shareOfShelf: random.between(5, 60) },
    })),
  );
  await api.insert(
    shelfCheck,
    completed.filter((_, index) => index % 4 === 0).flatMap(({ visit: item, plan }) =>
      [0, 1, 2].map((slot) => ({
        visit: item.id,
        product: sellable[(slot * 13 + visits.indexOf(item)) % sellable.length]!.id,
        rep: plan.rep.id,
        territory: plan.rep.territory,
        facings: random.between(0, 12),
        outOfStock: random.next() < 0.07,
        priceSeen: { amount: 150 + random.between(0, 900), currency: 'EUR' },
      })),
    ),
  );

  // Orders taken at about a third of the visits, priced by the server on submit.
  const taking = completed.filter(() => random.next() < 0.35);
  const orders = await api.insert(
    order,
    taking.map(({ visit: item, plan }, index) => ({
      number: `SO-${String(index + 1).padStart(6, '0')}`,
      outlet: plan.stop.outlet.id,
      rep: plan.rep.id,
      territory: plan.rep.territory,
      visit: item.id,
      orderDate: plan.date.date,
    })),
  );
  await api.insert(
    orderLine,
    orders.flatMap((item, index) =>
      Array.from({ length: 2 + (index % 4) }, (_, slot) => ({
        order: item.id,
        product: sellable[(index * 7 + slot * 31) % 120]!.id,
        rep: item.rep,
        territory: item.territory,
        unit: 'EA',
        quantity: String(random.between(2, 24)),
      })),
    ),
  );
  for (const [index, item] of orders.entries()) {
    const fate = index % 20;
    if (fate === 19) continue; // still a draft
    if (fate === 18) {
      await api.perform(order, item.id, 'cancel');
      continue;
    }
    await api.perform(order, item.id, 'submit');
    if (fate === 17) await api.perform(order, item.id, 'reject', { reason: 'Duplicate of an earlier order' });
    else if (fate < 15) {
      await api.perform(order, item.id, 'approve');
      if (fate < 9) await api.perform(order, item.id, 'fulfil');
    }
  }
}
