using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Contracts;

/// <summary>Query string of <c>GET /api/v1/sales/contracts</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt or endDate; prefix - for descending (default -createdAt).</param>
/// <param name="IncludeTotal">Also count all matching contracts.</param>
/// <param name="CustomerId">Only contracts of this customer.</param>
/// <param name="OwnerId">Only contracts of this owner.</param>
/// <param name="Status">draft, signed, active, expired or terminated.</param>
/// <param name="EndingBefore">Only contracts whose end date is before this day (renewals due).</param>
/// <param name="ExternalId">Only the contract with this ERP id.</param>
internal sealed record ListContractsQuery(
    int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, Guid? CustomerId, Guid? OwnerId, string? Status, DateOnly? EndingBefore, string? ExternalId);

/// <summary>Query string of <c>GET /api/v1/sales/contracts/export</c>: every filter of the list plus the file format.</summary>
/// <param name="Format">csv (default) or ndjson.</param>
/// <param name="Charset">CSV text encoding: utf-8 (default, with a BOM so Excel detects it) or gb18030.</param>
/// <param name="CustomerId">Only contracts of this customer.</param>
/// <param name="OwnerId">Only contracts of this owner.</param>
/// <param name="Status">draft, signed, active, expired or terminated.</param>
/// <param name="EndingBefore">Only contracts whose end date is before this day (renewals due).</param>
/// <param name="ExternalId">Only the contract with this ERP id.</param>
internal sealed record ExportContractsQuery(
    string? Format, string? Charset, Guid? CustomerId, Guid? OwnerId, string? Status, DateOnly? EndingBefore, string? ExternalId);

internal static class ContractEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var contracts = api.MapGroup("/sales/contracts").WithTags("Contracts");

        contracts.MapGet("/", async Task<Ok<Page<ContractResponse>>> ([AsParameters] ListContractsQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var filter = new ContractFilter(query.CustomerId, query.OwnerId, QueryEnum.Parse<ContractStatus>(query.Status, "status"), query.EndingBefore, query.ExternalId);
                return TypedResults.Ok(await mediator.Send(new ListContractsRequest(page, query.Sort, filter), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListContracts")
            .WithSummary("List the contracts the caller may see (keyset pages; filters for customer, owner, status, ending before, external id)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        contracts.MapGet("/export", async Task ([AsParameters] ExportContractsQuery query, ContractExport export, HttpResponse response, CancellationToken ct) =>
            {
                var (format, encoding) = ExportWriter.Parse(query.Format, query.Charset);
                var filter = new ContractFilter(query.CustomerId, query.OwnerId, QueryEnum.Parse<ContractStatus>(query.Status, "status"), query.EndingBefore, query.ExternalId);
                var selected = await export.QueryAsync(filter, ct);
                await using var writer = ExportWriter.Open(response, format, encoding, "contracts", ContractExport.Columns, []);
                await export.WriteAsync(selected, writer, ct);
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ExportContracts")
            .WithSummary("Export the contracts the caller may see as CSV or NDJSON, streamed; accepts every list filter; the customer's code and the owner's email beside their ids")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"])
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        contracts.MapGet("/{id:guid}", async Task<Ok<ContractResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetContractRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetContract")
            .WithSummary("Get a contract")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        contracts.MapPost("/", async Task<Created<ContractResponse>> (CreateContractRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/contracts/{created.Contract.Id}", created.Contract, created.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .ReturnsETag()
            .WithName("CreateContract")
            .WithSummary("Create a draft contract (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        contracts.MapPost("/{id:guid}/sign", async Task<Ok<ContractResponse>> (Guid id, SignContractRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("SignContract")
            .WithSummary("Sign a draft contract (honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        contracts.MapPatch("/{id:guid}", async Task<Ok<ContractResponse>> (Guid id, UpdateContractRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateContractRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateContract")
            .WithSummary("Change a contract (JSON merge patch; honours If-Match): every field on a draft, title and ownerId in any status")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        contracts.MapPost("/{id:guid}/terminate", async Task<Ok<ContractResponse>> (Guid id, TerminateContractRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("TerminateContract")
            .WithSummary("Terminate a signed or active contract early with a reason: what is unpaid is no longer owed (honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        contracts.MapPost("/{id:guid}/renew", async Task<Created<ContractResponse>> (Guid id, RenewContractRequest? request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send((request ?? new RenewContractRequest()) with { Id = id }, ct);
                return response.CreatedWithETag($"/api/v1/sales/contracts/{created.Contract.Id}", created.Contract, created.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .ReturnsETag()
            .WithName("RenewContract")
            .WithSummary("Renew a contract: creates the draft successor (defaults: same title and amount, starting the day after it ends, same length)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
    }

    private static Ok<ContractResponse> Versioned(HttpResponse response, VersionedContract contract) => response.OkWithETag(contract.Contract, contract.Version);
}
