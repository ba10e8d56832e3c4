using System.Collections.Concurrent;
using System.Text.Json;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Crm.Modules.Customers.Features.Regions;

/// <summary>An administrative division (GB/T 2260), as customers store it.</summary>
/// <param name="Code">6-digit division code (440000 province, 440300 city, 440305 district).</param>
/// <param name="Name">Official name, e.g. 广东省, 深圳市, 南山区; a municipality's city is the municipality (北京市).</param>
/// <param name="Level">province, city or district.</param>
/// <param name="HasChildren">Whether the division has divisions below it (ask with parentCode=code).</param>
internal sealed record RegionResponse(string Code, string Name, string Level, bool HasChildren);

/// <summary>The divisions directly below a parent.</summary>
/// <param name="Items">The divisions, in code order.</param>
/// <param name="Source">Where the data comes from (package and version).</param>
internal sealed record RegionListResponse(IReadOnlyList<RegionResponse> Items, string Source);

/// <summary>
/// The JSON of each region list, serialized once with the API's options: the catalogue changes only with a release, so
/// every later request writes the same bytes (at most one entry per division that has children).
/// </summary>
internal sealed class RegionListJson(RegionCatalog catalog, IOptions<JsonOptions> json)
{
    private static readonly string[] Levels = ["", "province", "city", "district"];

    private readonly ConcurrentDictionary<string, byte[]> _lists = new(StringComparer.Ordinal);

    /// <param name="parentCode">The parent division's code; empty for the provinces.</param>
    /// <param name="regions">The divisions below it.</param>
    public byte[] Of(string parentCode, IReadOnlyList<Region> regions) => _lists.GetOrAdd(parentCode, _ =>
        JsonSerializer.SerializeToUtf8Bytes(
            new RegionListResponse(regions.Select(r => new RegionResponse(r.Code, r.Name, Levels[r.Level], r.Children.Count > 0)).ToList(), catalog.Source),
            json.Value.SerializerOptions));
}

internal static class RegionEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/regions", Results<FileContentHttpResult, StatusCodeHttpResult> (string? parentCode, RegionCatalog catalog, RegionListJson lists, HttpContext http) =>
            {
                IReadOnlyList<Region> regions;
                if (string.IsNullOrWhiteSpace(parentCode))
                {
                    regions = catalog.Provinces;
                }
                else if (parentCode.Length != 6 || !parentCode.All(char.IsAsciiDigit))
                {
                    throw ValidationFailedException.For("parentCode", "parentCode must be a 6-digit GB/T 2260 code, e.g. 440000.");
                }
                else
                {
                    regions = (catalog.Find(parentCode) ?? throw new NotFoundException("Region", parentCode)).Children;
                }

                // The data changes only with a release, so clients and private caches may keep it; the ETag
                // lets them revalidate for free.
                http.Response.Headers.ETag = catalog.ETag;
                http.Response.Headers.CacheControl = "private, max-age=86400";
                if (IfNoneMatch.Matches(http.Request, catalog.ETag))
                {
                    return TypedResults.StatusCode(StatusCodes.Status304NotModified);
                }

                // Keyed by known division codes only (anything else was refused above), so the cache stays bounded.
                return TypedResults.Bytes(lists.Of(string.IsNullOrWhiteSpace(parentCode) ? string.Empty : parentCode, regions), "application/json; charset=utf-8");
            })
            .WithTags("Regions")
            .ReturnsETag()
            .HonoursIfNoneMatch()
            .WithName("ListRegions")
            .WithSummary("List the GB/T 2260 divisions below parentCode (provinces when absent); cacheable, honours If-None-Match")
            .Produces<RegionListResponse>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
    }
}
