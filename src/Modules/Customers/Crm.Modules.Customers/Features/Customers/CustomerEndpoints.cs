using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Regions;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>Query string of <c>GET /api/v1/customers</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt, updatedAt, name or code, comma-separated; prefix - for descending (default -createdAt).</param>
/// <param name="IncludeTotal">Also count all matching customers.</param>
/// <param name="Q">Search name, short name, phone, email, code and external id: 2+ characters with Chinese, 3+ otherwise.</param>
/// <param name="OwnerId">Only customers of this owner.</param>
/// <param name="TeamId">Only customers of this team.</param>
/// <param name="Kind">organization or individual.</param>
/// <param name="Tier">Only this value tier / category.</param>
/// <param name="Stage">Lifecycle stage: potential, development, growth, maturity, decline, termination.</param>
/// <param name="RelationshipType">basic, passive, responsible, proactive or partner.</param>
/// <param name="Status">active, churned, blacklisted or archived (archived customers are listed only when asked for).</param>
/// <param name="Province">Only this province.</param>
/// <param name="City">Only this city.</param>
/// <param name="Industry">Only this industry.</param>
/// <param name="Tag">Only customers carrying this tag.</param>
/// <param name="IsKeyAccount">Only key accounts (true) or only the others (false).</param>
/// <param name="CreatedFrom">Created at or after (ISO 8601).</param>
/// <param name="CreatedTo">Created before (ISO 8601).</param>
/// <param name="UpdatedFrom">Last changed at or after (ISO 8601).</param>
/// <param name="UpdatedTo">Last changed before (ISO 8601).</param>
/// <param name="LastFollowUpBefore">Newest follow-up before this instant (customers never followed up are not included).</param>
/// <param name="LastFollowUpAfter">Newest follow-up at or after this instant.</param>
/// <param name="RegionCode">GB/T 2260 code prefix for roll-ups: 44 or 440000 (广东省), 4403 or 440300 (深圳市), 440305 (南山区).</param>
/// <param name="CustomField">Custom field filter key:value, e.g. grade:A; repeat for more (all must match). A multiSelect matches when it holds the value.</param>
internal sealed record ListCustomersQuery(
    int? Limit,
    string? Cursor,
    string? Sort,
    bool? IncludeTotal,
    string? Q,
    Guid? OwnerId,
    Guid? TeamId,
    string? Kind,
    string? Tier,
    string? Stage,
    string? RelationshipType,
    string? Status,
    string? Province,
    string? City,
    string? Industry,
    string? Tag,
    bool? IsKeyAccount,
    DateTimeOffset? CreatedFrom,
    DateTimeOffset? CreatedTo,
    DateTimeOffset? UpdatedFrom,
    DateTimeOffset? UpdatedTo,
    DateTimeOffset? LastFollowUpBefore,
    DateTimeOffset? LastFollowUpAfter,
    string? RegionCode,
    string[]? CustomField)
{
    public CustomerFilter ToFilter() => new(
        Q, OwnerId, TeamId, QueryEnum.Parse<CustomerKind>(Kind, "kind"), Tier, QueryEnum.Parse<LifecycleStage>(Stage, "stage"),
        QueryEnum.Parse<Domain.RelationshipType>(RelationshipType, "relationshipType"), QueryEnum.Parse<CustomerStatus>(Status, "status"),
        Province, City, Industry, Tag, IsKeyAccount, CreatedFrom, CreatedTo, UpdatedFrom, UpdatedTo,
        LastFollowUpBefore, LastFollowUpAfter)
    {
        RegionCodePrefix = RegionCodes.Prefix(RegionCode, "regionCode"),
        CustomFieldFilters = CustomField ?? [],
    };
}

internal static class CustomerEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");

        customers.MapGet("/", async Task<Ok<Page<CustomerResponse>>> ([AsParameters] ListCustomersQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                return TypedResults.Ok(await mediator.Send(new ListCustomersRequest(page, query.Sort, query.ToFilter()), ct));
            })
            .RequirePermission(Permissions.CustomersRead)
            .WithName("ListCustomers")
            .WithSummary("List the customers the caller may see (keyset pages, filters, q search)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        customers.MapGet("/{id:guid}", async Task<Ok<CustomerResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetCustomerRequest(id), ct)))
            .RequirePermission(Permissions.CustomersRead)
            .ReturnsETag()
            .WithName("GetCustomer")
            .WithSummary("Get a customer")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        customers.MapPost("/", async Task<Created<CustomerResponse>> (CreateCustomerRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/customers/{created.Customer.Id}", created.Customer, created.Version);
            })
            .RequirePermission(Permissions.CustomersWrite)
            .ReturnsETag()
            .WithName("CreateCustomer")
            .WithSummary("Create a customer (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        customers.MapPatch("/{id:guid}", async Task<Ok<CustomerResponse>> (Guid id, UpdateCustomerRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateCustomerRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.CustomersWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateCustomer")
            .WithSummary("Update a customer (JSON merge patch; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        customers.MapDelete("/{id:guid}", async Task<Ok<CustomerResponse>> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new ArchiveCustomerRequest(id, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.CustomersWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ArchiveCustomer")
            .WithSummary("Delete a customer: a soft delete that archives it (honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);
    }

    private static Ok<CustomerResponse> Versioned(HttpResponse response, VersionedCustomer customer) => response.OkWithETag(customer.Customer, customer.Version);
}
