/** Demo data for the retail app: a catalogue and outlets a newcomer can list, filter and page through. */
import type { SeedApi } from '../../kernel/model/index.ts';
import { channels, outlet, product } from './retail.model.ts';

const brands = ['Alpina', 'Borealis', 'Cascade', 'Dunmore', 'Everfresh', 'Fjord'];
const categories = ['dairy', 'beverages', 'snacks', 'household', 'personal care'];
const cities = ['Lyon', 'Paris', 'Marseille', 'Casablanca', 'Rabat', 'Brussels', 'Geneva'];

export async function seedRetail(api: SeedApi): Promise<void> {
  const products = Array.from({ length: 240 }, (_, index) => {
    const brand = brands[index % brands.length]!;
    const category = categories[index % categories.length]!;
    return {
      sku: `SKU-${String(index + 1).padStart(5, '0')}`,
      gtin: String(4_000_000_000_000 + index * 7),
      name: `${brand} ${category} ${index + 1}`,
      localizedName: { en: `${brand} ${category} ${index + 1}`, fr: `${brand} ${category} n°${index + 1}` },
      brand,
      category,
      baseUnit: index % 4 === 0 ? 'CS' : 'EA',
      listPrice: { amount: 99 + ((index * 37) % 2000), currency: 'EUR' },
      active: index % 17 !== 0,
    };
  });
  await api.insert(product, products);
  const outlets = Array.from({ length: 600 }, (_, index) => ({
    code: `OUT-${String(index + 1).padStart(5, '0')}`,
    name: `${['Épicerie', 'Market', 'Kiosk', 'Pharmacie', 'Café'][index % 5]} ${cities[index % cities.length]} ${index + 1}`,
    channel: channels[index % channels.length]!,
    city: cities[index % cities.length]!,
    country: ['FR', 'FR', 'FR', 'MA', 'MA', 'BE', 'CH'][index % 7]!,
    creditLimit: { amount: 500_000 + (index % 10) * 100_000, currency: 'EUR' },
    active: true,
  }));
  await api.insert(outlet, outlets);
}
