using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
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

internal static class RegionEndpoints
{
    private static readonly string[] Levels = ["", "province", "city", "district"];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/regions", Results<Ok<RegionListResponse>, StatusCodeHttpResult> (string? parentCode, RegionCatalog catalog, HttpContext http) =>
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
                var ifNoneMatch = http.Request.Headers.IfNoneMatch;
                if (EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
                    && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Value == catalog.ETag))
                {
                    return TypedResults.StatusCode(StatusCodes.Status304NotModified);
                }

                return TypedResults.Ok(new RegionListResponse(
                    regions.Select(r => new RegionResponse(r.Code, r.Name, Levels[r.Level], r.Children.Count > 0)).ToList(), catalog.Source));
            })
            .WithTags("Regions")
            .WithName("ListRegions")
            .WithSummary("List the GB/T 2260 divisions below parentCode (provinces when absent); cacheable, honours If-None-Match")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
    }
}
