using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Orders;

/// <summary>Query string of <c>GET /api/v1/sales/orders/{id}/shipments</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="IncludeTotal">Also count all the order's shipments.</param>
internal sealed record ListShipmentsQuery(int? Limit, string? Cursor, bool? IncludeTotal);

/// <summary>Shipments (发货) of an order: <c>/api/v1/sales/orders/{id}/shipments</c>. Visibility and If-Match are the order's.</summary>
internal static class ShipmentEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var shipments = api.MapGroup("/sales/orders/{id:guid}/shipments").WithTags("Orders");

        shipments.MapPost("/", async Task<Created<ShipmentResponse>> (Guid id, RecordShipmentRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var recorded = await mediator.Send(request with { OrderId = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.CreatedWithETag(
                    $"/api/v1/sales/orders/{id}/shipments/{recorded.Shipment.Shipment.Id}", recorded.Shipment.Shipment, recorded.Shipment.Version);
            })
            .RequirePermission(Permissions.SalesWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("RecordShipment")
            .WithSummary("Ship some quantity of some lines of a confirmed or partially shipped order (422 over-shipment with the figures); the order becomes partiallyShipped or shipped; raises OrderShipped; If-Match is the order's ETag, the answer carries the shipment's own ETag; honours Idempotency-Key")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        shipments.MapGet("/", async Task<Ok<Page<ShipmentResponse>>> (Guid id, [AsParameters] ListShipmentsQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListShipmentsRequest(id, new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false)), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListShipments")
            .WithSummary("The order's shipments in the order they were recorded (by number), cancelled ones included (keyset pages)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        shipments.MapGet("/{shipmentId:guid}", async Task<Ok<ShipmentResponse>> (Guid id, Guid shipmentId, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetShipmentRequest(id, shipmentId), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetShipment")
            .WithSummary("Get a shipment of an order with its lines and its own ETag (the If-Match of its cancellation)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        shipments.MapPost("/{shipmentId:guid}/cancel", async Task<Ok<ShipmentResponse>> (
                Guid id, Guid shipmentId, CancelShipmentRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { OrderId = id, ShipmentId = shipmentId, IfMatch = IfMatch.From(http) }, ct)))
            .RequirePermission(Permissions.SalesWrite)
            .RequiresIfMatch()
            .ReturnsETag()
            .WithName("CancelShipment")
            .WithSummary("Cancel a shipment with a reason: its quantities are to ship again, the order goes back to partiallyShipped or confirmed; raises OrderShipmentCancelled; If-Match with the shipment's own ETag is required (428 without, 412 when stale)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired);
    }

    private static Ok<ShipmentResponse> Versioned(HttpResponse response, VersionedShipment shipment) => response.OkWithETag(shipment.Shipment, shipment.Version);
}
