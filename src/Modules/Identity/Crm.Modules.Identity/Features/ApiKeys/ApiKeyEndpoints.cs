using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Identity.Features.ApiKeys;

/// <summary>Query string of <c>GET /api/v1/api-keys</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt or name; prefix - for descending.</param>
/// <param name="IncludeTotal">Also count all matching keys.</param>
/// <param name="IncludeRevoked">Also list revoked keys.</param>
internal sealed record ListApiKeysQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, bool? IncludeRevoked);

internal static class ApiKeyEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var keys = api.MapGroup("/api-keys").WithTags("API keys").RequirePermission(Permissions.ApiKeysManage);

        keys.MapGet("/", async Task<Ok<Page<ApiKeyResponse>>> ([AsParameters] ListApiKeysQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(
                    new ListApiKeysRequest(new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false), query.Sort, query.IncludeRevoked ?? false), ct)))
            .WithName("ListApiKeys")
            .WithSummary("List API keys (never their secrets)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        keys.MapPost("/", async Task<Created<CreatedApiKeyResponse>> (CreateApiKeyRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                response.Headers.CacheControl = "no-store";
                return TypedResults.Created($"/api/v1/api-keys/{created.ApiKey.Id}", created);
            })
            .WithName("CreateApiKey")
            .WithSummary("Create an API key; the response shows its secret once")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        keys.MapGet("/{id:guid}", async Task<Ok<ApiKeyResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var key = await mediator.Send(new GetApiKeyRequest(id), ct);
                return response.OkWithETag(key.ApiKey, key.Version);
            })
            .ReturnsETag()
            .WithName("GetApiKey")
            .WithSummary("Get an API key (never its secret)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        keys.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, IMediator mediator, HttpRequest request, CancellationToken ct) =>
            {
                await mediator.Send(new RevokeApiKeyRequest(id, IfMatch.From(request)), ct);
                return TypedResults.NoContent();
            })
            .HonoursIfMatch()
            .WithName("RevokeApiKey")
            .WithSummary("Revoke an API key (kept in the list as revoked; honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);
    }
}
