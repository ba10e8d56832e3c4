using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Products;

/// <summary>Query string of <c>GET /api/v1/sales/products</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">sku, name, listPrice or createdAt; prefix - for descending (default sku).</param>
/// <param name="IncludeTotal">Also count all matching products.</param>
/// <param name="Category">Exact category.</param>
/// <param name="Active">true: only active products; false: only inactive ones.</param>
/// <param name="Q">Case-insensitive substring of the SKU or the name.</param>
internal sealed record ListProductsQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Category, bool? Active, string? Q);

/// <summary>Query string of <c>GET /api/v1/sales/products/export</c>: the list's filters plus the file format.</summary>
/// <param name="Format">csv (default) or ndjson.</param>
/// <param name="Charset">CSV text encoding: utf-8 (default, with a BOM so Excel detects it) or gb18030.</param>
/// <param name="Category">Exact category.</param>
/// <param name="Active">true: only active products; false: only inactive ones.</param>
/// <param name="Q">Case-insensitive substring of the SKU or the name.</param>
internal sealed record ExportProductsQuery(string? Format, string? Charset, string? Category, bool? Active, string? Q);

internal static class ProductEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var products = api.MapGroup("/sales/products").WithTags("Products");

        products.MapGet("/", async Task<Ok<Page<ProductResponse>>> ([AsParameters] ListProductsQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var filter = new ProductFilter(query.Category, query.Active, query.Q);
                return TypedResults.Ok(await mediator.Send(new ListProductsRequest(page, query.Sort, filter), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListProducts")
            .WithSummary("List the product catalogue (keyset pages; filters category, active, q on SKU and name)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        products.MapGet("/export", async Task ([AsParameters] ExportProductsQuery query, SalesDbContext db, HttpResponse response, CancellationToken ct) =>
            {
                var (format, encoding) = ExportWriter.Parse(query.Format, query.Charset);
                await using var writer = ExportWriter.Open(response, format, encoding, "products", ProductExport.Columns, []);
                await ProductExport.WriteAsync(db, new ProductFilter(query.Category, query.Active, query.Q), writer, ct);
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ExportProducts")
            .WithSummary("Export the product catalogue as CSV or NDJSON, streamed; accepts the list's filters; re-imports unchanged through POST /api/v1/imports/products")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"])
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        products.MapGet("/{id:guid}", async Task<Ok<ProductResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
                Versioned(response, await mediator.Send(new GetProductRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetProduct")
            .WithSummary("Get a product")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        products.MapPost("/", async Task<Created<ProductResponse>> (CreateProductRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/products/{created.Product.Id}", created.Product, created.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .ReturnsETag()
            .WithName("CreateProduct")
            .WithSummary("Create a product (SKU unique: 409; honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict);

        products.MapPatch("/{id:guid}", async Task<Ok<ProductResponse>> (Guid id, UpdateProductRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                Versioned(http.HttpContext.Response, await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct)))
            .Accepts<UpdateProductRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateProduct")
            .WithSummary("Update or deactivate a product (JSON merge patch; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);
    }

    private static Ok<ProductResponse> Versioned(HttpResponse response, VersionedProduct product) => response.OkWithETag(product.Product, product.Version);
}
