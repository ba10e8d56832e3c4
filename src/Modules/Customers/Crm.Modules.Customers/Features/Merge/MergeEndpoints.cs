using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Duplicates;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.Merge;

internal static class MergeEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");

        customers.MapGet("/duplicates", async Task<Ok<DuplicateCheckResponse>> ([AsParameters] CheckDuplicatesRequest query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequirePermission(Permissions.CustomersRead)
            .WithName("FindDuplicateCustomers")
            .WithSummary("Find existing customers that share a normalized name, phone, email or registration number (at most 20; customers the caller cannot see show only id, code, name and owner)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        customers.MapPost("/{id:guid}/merge", async Task<Ok<CustomerResponse>> (Guid id, MergeCustomersRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var merged = await mediator.Send(request with { SurvivorId = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.OkWithETag(merged.Customer, merged.Version);
            })
            .RequirePermission(Permissions.CustomersMerge)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("MergeCustomers")
            .WithSummary("Merge a duplicate customer (loserId) into this one: its contacts, follow-ups and owner history move here and it redirects here (managers and administrators; honours If-Match on the survivor)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);
    }
}
