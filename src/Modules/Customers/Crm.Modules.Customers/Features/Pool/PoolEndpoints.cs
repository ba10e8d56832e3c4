using System.Security.Claims;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.Pool;

/// <summary>Query string of <c>GET /api/v1/customers/pool</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt, updatedAt, name or code, comma-separated; prefix - for descending (default -createdAt).</param>
/// <param name="IncludeTotal">Also count all matching customers.</param>
/// <param name="Q">Search, as on the customer list.</param>
/// <param name="Tier">Only this value tier.</param>
/// <param name="Province">Only this province.</param>
/// <param name="Industry">Only this industry.</param>
internal sealed record ListPoolQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Q, string? Tier, string? Province, string? Industry);

internal static class PoolEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");

        customers.MapGet("/pool", async Task<Ok<Page<CustomerResponse>>> ([AsParameters] ListPoolQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(
                    new ListPoolRequest(new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false), query.Sort, query.Q, query.Tier, query.Province, query.Industry), ct)))
            .RequirePermission(Permissions.CustomersRead)
            .WithName("ListPoolCustomers")
            .WithSummary("List the public pool (公海): active customers without owner, keyset-paged")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        customers.MapPost("/{id:guid}/release", async Task<Ok<CustomerResponse>> (Guid id, ReleaseCustomerRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var released = await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http), CallerIsManagerOrAdmin = IsManagerOrAdmin(http.HttpContext.User) }, ct);
                return http.HttpContext.Response.OkWithETag(released.Customer, released.Version);
            })
            .RequirePermission(Permissions.CustomersWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReleaseCustomer")
            .WithSummary("Release a customer to the public pool (its owner, their manager or an administrator; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        customers.MapPost("/{id:guid}/claim", async Task<Ok<CustomerResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var claimed = await mediator.Send(new ClaimCustomerRequest(id), ct);
                return response.OkWithETag(claimed.Customer, claimed.Version);
            })
            .RequirePermission(Permissions.CustomersWrite)
            .ReturnsETag()
            .WithName("ClaimCustomer")
            .WithSummary("Claim a pool customer for yourself (409 already-owned when someone was first, 409 claim-limit-reached at the tier's limit)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        customers.MapPost("/{id:guid}/assign", async Task<Ok<CustomerResponse>> (Guid id, AssignCustomerRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var assigned = await mediator.Send(request with { Id = id, CallerMayTransfer = IsManagerOrAdmin(http.HttpContext.User) }, ct);
                return http.HttpContext.Response.OkWithETag(assigned.Customer, assigned.Version);
            })
            .RequirePermission(Permissions.CustomersWrite)
            .ReturnsETag()
            .WithName("AssignPoolCustomer")
            .WithSummary("Give a pool customer to a rep (managers within their team subtree, administrators)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        customers.MapGet("/pool/rules", async Task<Ok<PoolRulesDto>> (IMediator mediator, HttpRequest http, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetPoolRulesRequest(PoolRuleLookup.IsAdmin(http.HttpContext.User)), ct)))
            .RequirePermission(Permissions.CustomersRead)
            .WithName("GetPoolRules")
            .WithSummary("The public pool rules per tier (administrators)")
            .ProducesProblems(StatusCodes.Status403Forbidden);

        customers.MapPut("/pool/rules", async Task<Ok<PoolRulesDto>> (PutPoolRulesRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { CallerIsAdmin = PoolRuleLookup.IsAdmin(http.HttpContext.User) }, ct)))
            .RequirePermission(Permissions.CustomersWrite)
            .WithName("PutPoolRules")
            .WithSummary("Replace the public pool rules (administrators)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);
    }

    private static bool IsManagerOrAdmin(ClaimsPrincipal user) => user.IsInRole(Roles.Admin) || Roles.Managers.Any(user.IsInRole);
}
