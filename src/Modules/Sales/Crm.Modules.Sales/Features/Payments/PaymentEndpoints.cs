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

namespace Crm.Modules.Sales.Features.Payments;

/// <summary>Query string of <c>GET /api/v1/sales/receipts/export</c>.</summary>
/// <param name="Format">csv (default) or ndjson.</param>
/// <param name="Charset">CSV text encoding: utf-8 (default, with a BOM so Excel detects it) or gb18030.</param>
/// <param name="ContractId">Only the receipts of this contract.</param>
/// <param name="CustomerId">Only the receipts of this customer.</param>
/// <param name="OwnerId">Only the receipts attributed to this rep (the contract owner when the money came in).</param>
/// <param name="Status">recorded or reversed.</param>
/// <param name="ReceivedFrom">Received on or after this day.</param>
/// <param name="ReceivedTo">Received on or before this day.</param>
internal sealed record ExportReceiptsQuery(
    string? Format, string? Charset, Guid? ContractId, Guid? CustomerId, Guid? OwnerId, string? Status, DateOnly? ReceivedFrom, DateOnly? ReceivedTo);

internal static class PaymentEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var plans = api.MapGroup("/sales/contracts/{contractId:guid}/instalments").WithTags("Payments");

        plans.MapGet("/", async Task<Ok<IReadOnlyList<InstalmentResponse>>> (Guid contractId, DateOnly? asOf, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListInstalmentsRequest(contractId, asOf), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListContractInstalments")
            .WithSummary("The contract's payment plan with each instalment's paid amount and status as of a day (default today)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        plans.MapPost("/", async Task<Created<InstalmentResponse>> (Guid contractId, AddInstalmentRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(request with { ContractId = contractId }, ct);
                return TypedResults.Created($"/api/v1/sales/contracts/{contractId}/instalments", created);
            })
            .RequirePermission(Permissions.SalesWrite)
            .WithName("AddContractInstalment")
            .WithSummary("Add an instalment to the payment plan (the plan may not total more than the contract; honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        api.MapGet("/sales/instalments/overdue", async Task<Ok<Page<OverdueInstalmentResponse>>> ([AsParameters] ListOverdueInstalmentsQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(
                    new ListOverdueInstalmentsRequest(query.AsOf, query.CustomerId, query.OwnerId, new PageRequest(query.Limit, query.Cursor), query.Sort), ct)))
            .WithTags("Payments")
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListOverdueInstalments")
            .WithSummary("Instalments due before asOf (default today) and not fully paid, oldest due first, across the contracts the caller may see")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        var receipts = api.MapGroup("/sales/receipts").WithTags("Payments");

        receipts.MapGet("/export", async Task ([AsParameters] ExportReceiptsQuery query, ReceiptExport export, HttpResponse response, CancellationToken ct) =>
            {
                var (format, encoding) = ExportWriter.Parse(query.Format, query.Charset);
                var filter = new ReceiptFilter(
                    query.ContractId, query.CustomerId, query.OwnerId, QueryEnum.Parse<ReceiptStatus>(query.Status, "status"), query.ReceivedFrom, query.ReceivedTo);
                response.ContentType = ExportWriter.ContentType(format, encoding);
                response.Headers.ContentDisposition = $"attachment; filename=receipts.{(format == ExportFormat.Csv ? "csv" : "ndjson")}";
                await using var writer = new ExportWriter(response.Body, format, encoding, ReceiptExport.Columns, []);
                await export.WriteAsync(filter, writer, ct);
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ExportReceipts")
            .WithSummary("Export the receipts the caller may see as CSV or NDJSON, streamed, in the columns POST /api/v1/imports/receipts reads (a re-import is all unchanged)")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"])
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        receipts.MapPost("/", async Task<Created<ReceiptResponse>> (RecordReceiptRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/receipts/{created.Receipt.Id}", created.Receipt, created.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .ReturnsETag()
            .WithName("RecordReceipt")
            .WithSummary("Record a payment received on a contract (at most what is outstanding; honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        receipts.MapGet("/{id:guid}", async Task<Ok<ReceiptResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var receipt = await mediator.Send(new GetReceiptRequest(id), ct);
                return response.OkWithETag(receipt.Receipt, receipt.Version);
            })
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetReceipt")
            .WithSummary("Get a receipt with its allocations")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        receipts.MapPost("/{id:guid}/reverse", async Task<Ok<ReceiptResponse>> (Guid id, ReverseReceiptRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var receipt = await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.OkWithETag(receipt.Receipt, receipt.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReverseReceipt")
            .WithSummary("Reverse a receipt with a reason (receipts are never deleted; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);
    }
}
