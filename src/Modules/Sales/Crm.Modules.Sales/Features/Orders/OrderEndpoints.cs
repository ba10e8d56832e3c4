using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Orders;

/// <summary>Query string of <c>GET /api/v1/sales/orders</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">createdAt or total; prefix - for descending (default -createdAt).</param>
/// <param name="IncludeTotal">Also count all matching orders.</param>
/// <param name="CustomerId">Only this customer's orders.</param>
/// <param name="OwnerId">Only this owner's orders.</param>
/// <param name="Status">draft, confirmed, partiallyShipped, shipped, completed or cancelled.</param>
/// <param name="CreatedFrom">Created at or after this instant (ISO 8601).</param>
/// <param name="CreatedTo">Created before this instant (ISO 8601).</param>
/// <param name="Q">A substring of the order number, taken literally.</param>
internal sealed record ListOrdersQuery(
    int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, Guid? CustomerId, Guid? OwnerId, string? Status, DateTimeOffset? CreatedFrom, DateTimeOffset? CreatedTo,
    string? Q);

/// <summary>Query string of <c>GET /api/v1/sales/orders/export</c>: every filter of the list plus the file format.</summary>
/// <param name="Format">csv (default) or ndjson.</param>
/// <param name="Charset">CSV text encoding: utf-8 (default, with a BOM so Excel detects it) or gb18030.</param>
/// <param name="CustomerId">Only this customer's orders.</param>
/// <param name="OwnerId">Only this owner's orders.</param>
/// <param name="Status">draft, confirmed, shipped, completed or cancelled.</param>
/// <param name="CreatedFrom">Created at or after this instant (ISO 8601).</param>
/// <param name="CreatedTo">Created before this instant (ISO 8601).</param>
/// <param name="Q">A substring of the order number, taken literally.</param>
internal sealed record ExportOrdersQuery(
    string? Format, string? Charset, Guid? CustomerId, Guid? OwnerId, string? Status, DateTimeOffset? CreatedFrom, DateTimeOffset? CreatedTo, string? Q)
{
    public OrderFilter ToFilter() => new(CustomerId, OwnerId, QueryEnum.Parse<OrderStatus>(Status, "status"), CreatedFrom, CreatedTo, Q);
}

/// <summary>Body of <c>POST /api/v1/sales/orders/{id}/confirm</c>.</summary>
/// <param name="Override">A manager's override of the credit check, with a reason (sales:manage only).</param>
internal sealed record ConfirmOrderBody(OrderCreditOverrideRequest? Override = null);

/// <summary>Body of <c>POST /api/v1/sales/orders/{id}/cancel</c>.</summary>
/// <param name="Reason">Why it is cancelled (required, at most 500 characters).</param>
internal sealed record CancelOrderBody(string? Reason = null);

internal static class OrderEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var orders = api.MapGroup("/sales/orders").WithTags("Orders");

        orders.MapGet("/", async Task<Ok<Page<OrderSummaryResponse>>> ([AsParameters] ListOrdersQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var filter = new OrderFilter(query.CustomerId, query.OwnerId, QueryEnum.Parse<OrderStatus>(query.Status, "status"), query.CreatedFrom, query.CreatedTo, query.Q);
                return TypedResults.Ok(await mediator.Send(new ListOrdersRequest(page, query.Sort, filter), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListOrders")
            .WithSummary("List the orders the caller may see (keyset pages; filters customer, owner, status, created range, q on the number)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        orders.MapGet("/export", async Task ([AsParameters] ExportOrdersQuery query, OrderExport export, HttpResponse response, CancellationToken ct) =>
            {
                var (format, encoding) = ExportWriter.Parse(query.Format, query.Charset);
                var orders = await export.QueryAsync(query.ToFilter(), ct);
                await using var writer = ExportWriter.Open(response, format, encoding, "orders", OrderExport.Columns, []);
                await export.WriteAsync(orders, writer, ct);
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ExportOrders")
            .WithSummary("Export the orders the caller may see as CSV or NDJSON, one row per line, streamed; accepts every list filter; re-imports unchanged through POST /api/v1/imports/orders")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"])
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        orders.MapGet("/{id:guid}", async Task<Ok<OrderResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetOrderRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetOrder")
            .WithSummary("Get an order with its lines and totals")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        orders.MapPost("/", async Task<Created<OrderResponse>> (CreateOrderRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                CreatedOrder(response, await mediator.Send(request, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .ReturnsETag()
            .WithName("CreateOrder")
            .WithSummary("Create a draft order for a customer; unit prices default from price resolution (honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        orders.MapPatch("/{id:guid}", async Task<Ok<OrderResponse>> (Guid id, UpdateOrderRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateOrderRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateOrder")
            .WithSummary("Change a draft order (JSON merge patch of notes, partnerId, lines; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        orders.MapPost("/{id:guid}/confirm", async Task<Ok<OrderResponse>> (
                Guid id, ConfirmOrderBody? body, IMediator mediator, IAuthorizationService authorization, HttpRequest http, CancellationToken ct) =>
            {
                var mayOverride = body?.Override is not null
                    && (await authorization.AuthorizeAsync(http.HttpContext.User, PermissionAuthorization.PolicyPrefix + Permissions.SalesManage)).Succeeded;
                var request = new OrderActionRequest(id, OrderAction.Confirm, null, body?.Override, mayOverride, IfMatch.From(http));
                return Versioned(http.HttpContext.Response, await mediator.Send(request, ct));
            })
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ConfirmOrder")
            .WithSummary("Confirm a draft order after the credit check (422 credit-limit-exceeded with the figures; a manager may override with a reason); raises OrderPlaced; honours If-Match")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        orders.MapPost("/{id:guid}/ship", async Task<Ok<OrderResponse>> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, (await mediator.Send(new RecordShipmentRequest(null) { OrderId = id, IfMatch = IfMatch.From(http), Everything = true }, ct)).Order))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ShipOrder")
            .WithSummary("Ship everything left of a confirmed or partially shipped order in one shipment, now (raises OrderShipped; honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);
        MapAction(orders, "complete", OrderAction.Complete, "CompleteOrder", "Mark a shipped order completed (raises OrderCompleted)");

        orders.MapPost("/{id:guid}/cancel", async Task<Ok<OrderResponse>> (Guid id, CancelOrderBody? body, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new OrderActionRequest(id, OrderAction.Cancel, body?.Reason, null, false, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("CancelOrder")
            .WithSummary("Cancel a draft or confirmed order with a reason (409 order-has-shipments once anything shipped; raises OrderCancelled; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed);

        api.MapPost("/sales/quotes/{id:guid}/order", async Task<Created<OrderResponse>> (
                Guid id, CreateOrderFromQuoteRequest? request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                CreatedOrder(response, await mediator.Send((request ?? new CreateOrderFromQuoteRequest()) with { QuoteId = id }, ct)))
            .WithTags("Orders")
            .RequirePermission(Permissions.SalesWrite)
            .ReturnsETag()
            .WithName("CreateOrderFromQuote")
            .WithSummary("Create the order of an accepted quote with its lines as accepted (one order per quote: 409 on the second)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status422UnprocessableEntity);

        orders.MapPut("/by-external-id/{externalId}", async Task<Results<Created<OrderResponse>, Ok<OrderResponse>>> (
                string externalId, CreateOrderRequest request, IMediator mediator, HttpContext http, CancellationToken ct) =>
            {
                var result = await mediator.Send(new UpsertOrderRequest(externalId, request, IfMatch.From(http.Request)), ct);
                return result.Created ? CreatedOrder(http.Response, result.Order) : Versioned(http.Response, result.Order);
            })
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpsertOrderByExternalId")
            .WithSummary("ERP upsert: create (201) or replace (200) the draft order with this external id; 409 once it is no longer a draft; honours If-Match")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);
    }

    private static void MapAction(RouteGroupBuilder orders, string path, OrderAction action, string name, string summary) =>
        orders.MapPost($"/{{id:guid}}/{path}", async Task<Ok<OrderResponse>> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(new OrderActionRequest(id, action, null, null, false, IfMatch.From(http)), ct)))
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName(name)
            .WithSummary(summary + " (honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

    private static Ok<OrderResponse> Versioned(HttpResponse response, VersionedOrder order) => response.OkWithETag(order.Order, order.Version);

    private static Created<OrderResponse> CreatedOrder(HttpResponse response, VersionedOrder order) =>
        response.CreatedWithETag($"/api/v1/sales/orders/{order.Order.Id}", order.Order, order.Version);
}
