using Crm.SharedKernel.Data;
using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Products;

/// <summary>A product or service of the catalogue.</summary>
/// <param name="Id">Product id.</param>
/// <param name="Sku">Stock keeping unit, unique, upper-case.</param>
/// <param name="Name">Name.</param>
/// <param name="Unit">Unit of sale (台, 套, 年, hour).</param>
/// <param name="Category">Category, if any.</param>
/// <param name="Description">Description, if any.</param>
/// <param name="ListPrice">Standard list price, before price books and discounts.</param>
/// <param name="Currency">ISO 4217 currency of the list price.</param>
/// <param name="Active">Whether it can be sold; inactive products stay on old quotes and orders.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it was last changed.</param>
internal sealed record ProductResponse(
    Guid Id,
    string Sku,
    string Name,
    string Unit,
    string? Category,
    string? Description,
    decimal ListPrice,
    string Currency,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A product with its row version, which the endpoints answer as the ETag.</summary>
internal sealed record VersionedProduct(ProductResponse Product, uint Version);

internal static class ProductProjection
{
    public static readonly Expression<Func<Product, ProductResponse>> ToResponse = p =>
        new ProductResponse(p.Id, p.Sku, p.Name, p.Unit, p.Category, p.Description, p.ListPrice, p.Currency, p.Active, p.CreatedAt, p.UpdatedAt);

    /// <summary>By SKU by default: the catalogue is read like a price list.</summary>
    public static readonly SortDefinition<Product, ProductResponse> Sort = new SortDefinition<Product, ProductResponse>(p => p.Id, p => p.Id, "sku")
        .Add("sku", p => p.Sku, p => p.Sku)
        .Add("name", p => p.Name, p => p.Name)
        .Add("listPrice", p => p.ListPrice, p => p.ListPrice)
        .Add("createdAt", p => p.CreatedAt, p => p.CreatedAt);

    private static readonly Func<Product, ProductResponse> Compiled = ToResponse.Compile();

    public static VersionedProduct From(Product product) => new(Compiled(product), product.Version);
}

internal static class ProductProblems
{
    public const string DuplicateSkuType = ProblemTypes.BaseUri + "duplicate-sku";

    public static ConflictException DuplicateSku(string sku) =>
        new(DuplicateSkuType, "Duplicate SKU", $"A product with SKU '{sku}' already exists.");

    /// <summary>Saves, turning the unique violation of a concurrent writer into the same 409 the pre-check answers.</summary>
    public static Task SaveAsync(SalesDbContext db, string sku, CancellationToken cancellationToken) =>
        db.SaveChangesOrConflictAsync(_ => DuplicateSku(sku), cancellationToken);
}

/// <summary>Shared rules of the product fields, for create and for the patched result.</summary>
internal static class ProductRules
{
    public static void Sku<T>(AbstractValidator<T> validator, Func<T, string?> sku) =>
        validator.RuleFor(r => sku(r)).NotEmpty().MaximumLength(Product.MaxSkuLength)
            .Matches(@"^\s*\S+\s*$").WithMessage("sku cannot contain spaces.").OverridePropertyName("sku");

    public static void Details<T>(AbstractValidator<T> validator, Func<T, string?> name, Func<T, string?> unit, Func<T, string?> category,
        Func<T, string?> description, Func<T, decimal?> listPrice, Func<T, string?> currency)
    {
        validator.RuleFor(r => name(r)).NotEmpty().MaximumLength(Product.MaxNameLength).OverridePropertyName("name");
        validator.RuleFor(r => unit(r)).NotEmpty().MaximumLength(Product.MaxUnitLength).OverridePropertyName("unit");
        validator.RuleFor(r => category(r)).MaximumLength(Product.MaxCategoryLength).OverridePropertyName("category");
        validator.RuleFor(r => description(r)).MaximumLength(Product.MaxDescriptionLength).OverridePropertyName("description");
        validator.RuleFor(r => listPrice(r)).NotNull().GreaterThanOrEqualTo(0m).PrecisionScale(18, 2, true).OverridePropertyName("listPrice");
        validator.RuleFor(r => currency(r)).Matches("^[A-Za-z]{3}$").WithMessage("currency must be an ISO 4217 code such as CNY.").OverridePropertyName("currency");
    }
}

/// <summary>Create a product.</summary>
/// <param name="Sku">Stock keeping unit (required, unique case-insensitively, at most 64 characters).</param>
/// <param name="Name">Name (required).</param>
/// <param name="Unit">Unit of sale (required).</param>
/// <param name="ListPrice">List price, 0 or more, 2 decimals (required).</param>
/// <param name="Currency">ISO 4217 currency (default CNY).</param>
/// <param name="Category">Category.</param>
/// <param name="Description">Description.</param>
/// <param name="Active">Whether it can be sold (default true).</param>
internal sealed record CreateProductRequest(
    string Sku,
    string Name,
    string Unit,
    decimal? ListPrice,
    string? Currency = null,
    string? Category = null,
    string? Description = null,
    bool? Active = null) : IRequest<VersionedProduct>;

internal sealed class CreateProductValidator : AbstractValidator<CreateProductRequest>
{
    public CreateProductValidator()
    {
        ProductRules.Sku(this, r => r.Sku);
        ProductRules.Details(this, r => r.Name, r => r.Unit, r => r.Category, r => r.Description, r => r.ListPrice, r => r.Currency);
    }
}

internal sealed class CreateProductHandler(SalesDbContext db, TimeProvider time) : IRequestHandler<CreateProductRequest, VersionedProduct>
{
    public async Task<VersionedProduct> Handle(CreateProductRequest request, CancellationToken cancellationToken)
    {
        var sku = Product.NormalizeSku(request.Sku);
        if (await db.Products.AnyAsync(p => p.Sku == sku, cancellationToken))
        {
            throw ProductProblems.DuplicateSku(sku);
        }

        var now = time.UtcNow();
        var currency = request.Currency ?? Product.DefaultCurrency;
        var product = Product.Create(sku, request.Name, request.Unit, request.Category, request.ListPrice!.Value, currency, now);
        product.Update(request.Name, request.Unit, request.Category, request.Description, request.ListPrice.Value, currency, request.Active ?? true, now);
        db.Products.Add(product);
        await ProductProblems.SaveAsync(db, sku, cancellationToken);
        return ProductProjection.From(product);
    }
}

internal sealed record GetProductRequest(Guid Id) : IRequest<VersionedProduct>;

internal sealed class GetProductHandler(SalesDbContext db) : IRequestHandler<GetProductRequest, VersionedProduct>
{
    public async Task<VersionedProduct> Handle(GetProductRequest request, CancellationToken cancellationToken)
    {
        var product = await db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Product", request.Id);
        return ProductProjection.From(product);
    }
}

/// <summary>
/// A JSON merge patch of a product: absent members stay, <c>null</c> clears category and description. The SKU is the
/// product's identity (import matches on it, quotes and orders show it) and is not patchable. Deactivate with
/// <c>{"active": false}</c>.
/// </summary>
/// <param name="Name">Name.</param>
/// <param name="Unit">Unit of sale.</param>
/// <param name="Category">Category.</param>
/// <param name="Description">Description.</param>
/// <param name="ListPrice">List price.</param>
/// <param name="Currency">ISO 4217 currency.</param>
/// <param name="Active">Whether it can be sold.</param>
internal sealed record UpdateProductRequest(
    Optional<string> Name,
    Optional<string> Unit,
    Optional<string?> Category,
    Optional<string?> Description,
    Optional<decimal?> ListPrice,
    Optional<string> Currency,
    Optional<bool?> Active) : IRequest<VersionedProduct>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdateProductValidator : AbstractValidator<UpdateProductRequest>
{
    public UpdateProductValidator()
    {
        When(r => r.Name.HasValue, () => RuleFor(r => r.Name.Value).NotEmpty().MaximumLength(Product.MaxNameLength).OverridePropertyName("name"));
        When(r => r.Unit.HasValue, () => RuleFor(r => r.Unit.Value).NotEmpty().MaximumLength(Product.MaxUnitLength).OverridePropertyName("unit"));
        When(r => r.Category.HasValue, () => RuleFor(r => r.Category.Value).MaximumLength(Product.MaxCategoryLength).OverridePropertyName("category"));
        When(r => r.Description.HasValue, () => RuleFor(r => r.Description.Value).MaximumLength(Product.MaxDescriptionLength).OverridePropertyName("description"));
        When(r => r.ListPrice.HasValue, () => RuleFor(r => r.ListPrice.Value).NotNull().GreaterThanOrEqualTo(0m).PrecisionScale(18, 2, true).OverridePropertyName("listPrice"));
        When(r => r.Currency.HasValue, () => RuleFor(r => r.Currency.Value).NotNull().Matches("^[A-Za-z]{3}$")
            .WithMessage("currency must be an ISO 4217 code such as CNY.").OverridePropertyName("currency"));
        When(r => r.Active.HasValue, () => RuleFor(r => r.Active.Value).NotNull().OverridePropertyName("active"));
    }
}

internal sealed class UpdateProductHandler(SalesDbContext db, TimeProvider time) : IRequestHandler<UpdateProductRequest, VersionedProduct>
{
    public async Task<VersionedProduct> Handle(UpdateProductRequest request, CancellationToken cancellationToken)
    {
        var product = await db.Products.FirstOrDefaultAsync(p => p.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Product", request.Id);
        request.IfMatch.EnsureMatches(product.Version);
        product.Update(
            request.Name.Or(product.Name),
            request.Unit.Or(product.Unit),
            request.Category.Or(product.Category),
            request.Description.Or(product.Description),
            request.ListPrice.Or(product.ListPrice) ?? product.ListPrice,
            request.Currency.Or(product.Currency),
            request.Active.Or(product.Active) ?? product.Active,
            time.UtcNow());
        await ProductProblems.SaveAsync(db, product.Sku, cancellationToken);
        return ProductProjection.From(product);
    }
}

/// <summary>Filters of the product list.</summary>
/// <param name="Category">Exact category.</param>
/// <param name="Active">Only active (true) or inactive (false) products.</param>
/// <param name="Q">Case-insensitive substring of the SKU or the name.</param>
internal sealed record ProductFilter(string? Category, bool? Active, string? Q);

internal sealed record ListProductsRequest(PageRequest Page, string? Sort, ProductFilter Filter) : IRequest<Page<ProductResponse>>;

internal sealed class ListProductsValidator : AbstractValidator<ListProductsRequest>
{
    public ListProductsValidator()
    {
        RuleFor(r => r.Filter.Q).MaximumLength(Product.MaxNameLength).OverridePropertyName("q");
        RuleFor(r => r.Filter.Category).MaximumLength(Product.MaxCategoryLength).OverridePropertyName("category");
    }
}

internal sealed class ListProductsHandler(SalesDbContext db) : IRequestHandler<ListProductsRequest, Page<ProductResponse>>
{
    public async Task<Page<ProductResponse>> Handle(ListProductsRequest request, CancellationToken cancellationToken)
    {
        var order = ProductProjection.Sort.Parse(request.Sort);
        var products = ProductQuery.Apply(db.Products.AsNoTracking(), request.Filter);
        return await products.ToPageAsync(ProductProjection.ToResponse, order, request.Page, cancellationToken);
    }
}

/// <summary>The list's WHERE clause, shared by the list and the export.</summary>
internal static class ProductQuery
{
    public static IQueryable<Product> Apply(IQueryable<Product> products, ProductFilter filter)
    {
        if (!string.IsNullOrWhiteSpace(filter.Category))
        {
            var category = filter.Category.Trim();
            products = products.Where(p => p.Category == category);
        }

        if (filter.Active is { } active)
        {
            products = products.Where(p => p.Active == active);
        }

        if (!string.IsNullOrWhiteSpace(filter.Q))
        {
            var pattern = LikePattern.Contains(filter.Q.Trim());
            products = products.Where(p => EF.Functions.ILike(p.Sku, pattern, LikePattern.Escape) || EF.Functions.ILike(p.Name, pattern, LikePattern.Escape));
        }

        return products;
    }
}
