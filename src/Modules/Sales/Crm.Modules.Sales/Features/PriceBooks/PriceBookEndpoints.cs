using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.PriceBooks;

/// <summary>Query string of <c>GET /api/v1/sales/price-books</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">name or createdAt; prefix - for descending (default name).</param>
/// <param name="IncludeTotal">Also count all matching books.</param>
/// <param name="Kind">standard, tier or customer.</param>
/// <param name="CustomerId">Only the books of this customer.</param>
internal sealed record ListPriceBooksQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Kind, Guid? CustomerId);

/// <summary>Query string of <c>GET /api/v1/sales/price-books/{id}/entries</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
internal sealed record ListPriceBookEntriesQuery(int? Limit, string? Cursor);

/// <summary>Query string of <c>GET /api/v1/sales/prices</c>.</summary>
/// <param name="ProductId">The product (required).</param>
/// <param name="CustomerId">The customer; without it only the standard book and the list price apply.</param>
/// <param name="On">The day, yyyy-MM-dd (default: today).</param>
internal sealed record ResolvePriceQuery(Guid? ProductId, Guid? CustomerId, DateOnly? On);

internal static class PriceBookEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var books = api.MapGroup("/sales/price-books").WithTags("Price books");

        books.MapGet("/", async Task<Ok<Page<PriceBookResponse>>> ([AsParameters] ListPriceBooksQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var kind = QueryEnum.Parse<PriceBookKind>(query.Kind, "kind");
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                return TypedResults.Ok(await mediator.Send(new ListPriceBooksRequest(page, query.Sort, kind, query.CustomerId), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListPriceBooks")
            .WithSummary("List price books (keyset pages; filters kind, customerId)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        books.MapGet("/{id:guid}", async Task<Ok<PriceBookResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetPriceBookRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetPriceBook")
            .WithSummary("Get a price book")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        books.MapPost("/", async Task<Created<PriceBookResponse>> (CreatePriceBookRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return TypedResults.Created($"/api/v1/sales/price-books/{created.Id}", created);
            })
            .RequirePermission(Permissions.SalesManage)
            .WithName("CreatePriceBook")
            .WithSummary("Create a standard, tier or customer price book (name unique, one standard book: 409)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict);

        books.MapPatch("/{id:guid}", async Task<Ok<PriceBookResponse>> (Guid id, UpdatePriceBookRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdatePriceBookRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdatePriceBook")
            .WithSummary("Rename, re-date or deactivate a price book (JSON merge patch; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status412PreconditionFailed);

        books.MapDelete("/{id:guid}/entries/{productId:guid}", async Task<NoContent> (Guid id, Guid productId, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new RemovePriceBookEntryRequest(id, productId), ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.SalesManage)
            .WithName("RemovePriceBookEntry")
            .WithSummary("Remove a product's price from a price book")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        books.MapGet("/{id:guid}/entries", async Task<Ok<Page<PriceBookEntryResponse>>> (Guid id, [AsParameters] ListPriceBookEntriesQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListPriceBookEntriesRequest(id, new PageRequest(query.Limit, query.Cursor, false)), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListPriceBookEntries")
            .WithSummary("The prices of a price book (keyset pages in product id order)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        books.MapPut("/{id:guid}/entries/{productId:guid}", async Task<Ok<PriceBookEntryResponse>> (Guid id, Guid productId, SetPriceBookEntryRequest request, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { PriceBookId = id, ProductId = productId }, ct)))
            .RequirePermission(Permissions.SalesManage)
            .WithName("SetPriceBookEntry")
            .WithSummary("Set the unit price of a product in a price book")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        api.MapGet("/sales/prices", async Task<Ok<PriceResolutionResponse>> ([AsParameters] ResolvePriceQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ResolvePriceRequest(query.ProductId, query.CustomerId, query.On), ct)))
            .WithTags("Price books")
            .RequirePermission(Permissions.SalesRead)
            .WithName("ResolvePrice")
            .WithSummary("The price of a product for a customer on a day, and which book priced it (customer > tier > standard > list price)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }

    private static Ok<PriceBookResponse> Versioned(HttpResponse response, VersionedPriceBook book) => response.OkWithETag(book.PriceBook, book.Version);
}
