using System.Globalization;
using System.Linq.Expressions;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.PriceBooks;

/// <summary>A price book (价格表).</summary>
/// <param name="Id">Price book id.</param>
/// <param name="Name">Name, unique.</param>
/// <param name="Kind">standard (everybody), tier (one customer tier) or customer (one customer).</param>
/// <param name="Tier">The customer tier it applies to (kind tier).</param>
/// <param name="CustomerId">The customer it applies to (kind customer).</param>
/// <param name="ValidFrom">First day it applies (inclusive); null: since ever.</param>
/// <param name="ValidTo">Last day it applies (inclusive); null: until further notice.</param>
/// <param name="Active">Whether it takes part in price resolution.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it or one of its entries last changed.</param>
internal sealed record PriceBookResponse(
    Guid Id,
    string Name,
    PriceBookKind Kind,
    string? Tier,
    Guid? CustomerId,
    DateOnly? ValidFrom,
    DateOnly? ValidTo,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The unit price of one product in a price book.</summary>
/// <param name="PriceBookId">The price book.</param>
/// <param name="ProductId">The product.</param>
/// <param name="UnitPrice">Unit price, 2 decimals.</param>
/// <param name="Currency">ISO 4217 currency.</param>
/// <param name="UpdatedAt">When the price was last set.</param>
internal sealed record PriceBookEntryResponse(Guid PriceBookId, Guid ProductId, decimal UnitPrice, string Currency, DateTimeOffset UpdatedAt);

/// <summary>The price of a product for a customer on a day, and why.</summary>
/// <param name="ProductId">The product.</param>
/// <param name="Sku">Its SKU.</param>
/// <param name="CustomerId">The customer asked for, if any.</param>
/// <param name="CustomerTier">That customer's tier, if classified.</param>
/// <param name="On">The day priced.</param>
/// <param name="UnitPrice">The unit price.</param>
/// <param name="Currency">ISO 4217 currency of the unit price.</param>
/// <param name="Source">customerBook, tierBook, standardBook or listPrice.</param>
/// <param name="PriceBookId">The book that priced it (null for the list price).</param>
/// <param name="PriceBookName">That book's name.</param>
/// <param name="Explanation">A sentence saying which book won and why.</param>
internal sealed record PriceResolutionResponse(
    Guid ProductId,
    string Sku,
    Guid? CustomerId,
    string? CustomerTier,
    DateOnly On,
    decimal UnitPrice,
    string Currency,
    PriceSource Source,
    Guid? PriceBookId,
    string? PriceBookName,
    string Explanation);

internal static class PriceBookProjection
{
    public static readonly Expression<Func<PriceBook, PriceBookResponse>> ToResponse = b =>
        new PriceBookResponse(b.Id, b.Name, b.Kind, b.Tier, b.CustomerId, b.ValidFrom, b.ValidTo, b.Active, b.CreatedAt, b.UpdatedAt);

    public static readonly SortDefinition<PriceBook, PriceBookResponse> Sort = new SortDefinition<PriceBook, PriceBookResponse>(b => b.Id, b => b.Id, "name")
        .Add("name", b => b.Name, b => b.Name)
        .Add("createdAt", b => b.CreatedAt, b => b.CreatedAt);

    public static readonly Expression<Func<PriceBookEntry, PriceBookEntryResponse>> EntryToResponse = e =>
        new PriceBookEntryResponse(e.PriceBookId, e.ProductId, e.UnitPrice, e.Currency, e.UpdatedAt);

    /// <summary>Entries page in product id order: the (price_book_id, product_id) unique index serves it.</summary>
    public static readonly SortDefinition<PriceBookEntry, PriceBookEntryResponse> EntrySort =
        new SortDefinition<PriceBookEntry, PriceBookEntryResponse>(e => e.ProductId, e => e.ProductId, "productId")
            .Add("productId", e => e.ProductId, e => e.ProductId);

    private static readonly Func<PriceBook, PriceBookResponse> Compiled = ToResponse.Compile();

    public static PriceBookResponse From(PriceBook book) => Compiled(book);
}

internal static class PriceBookProblems
{
    public const string DuplicateType = ProblemTypes.BaseUri + "duplicate-price-book";

    /// <summary>Saves, turning the unique violation of a concurrent writer into the 409 of the index it hit.</summary>
    public static Task SaveAsync(SalesDbContext db, string name, CancellationToken cancellationToken) =>
        db.SaveChangesOrConflictAsync(
            unique => unique.ConstraintName == "ix_price_books_single_standard"
                ? new ConflictException(DuplicateType, "Duplicate standard price book", "There is already a standard price book; there is only one.")
                : new ConflictException(DuplicateType, "Duplicate price book", $"A price book named '{name}' already exists."),
            cancellationToken);
}

/// <summary>Create a price book; its prices are then set per product with <c>PUT .../entries/{productId}</c>.</summary>
/// <param name="Name">Name (required, unique).</param>
/// <param name="Kind">standard, tier or customer (required). There is only one standard book.</param>
/// <param name="Tier">The customer tier (required for kind tier, not allowed otherwise).</param>
/// <param name="CustomerId">The customer (required for kind customer, not allowed otherwise).</param>
/// <param name="ValidFrom">First day it applies (inclusive).</param>
/// <param name="ValidTo">Last day it applies (inclusive), not before validFrom.</param>
internal sealed record CreatePriceBookRequest(
    string Name,
    PriceBookKind? Kind,
    string? Tier = null,
    Guid? CustomerId = null,
    DateOnly? ValidFrom = null,
    DateOnly? ValidTo = null) : IRequest<PriceBookResponse>;

internal sealed class CreatePriceBookValidator : AbstractValidator<CreatePriceBookRequest>
{
    public CreatePriceBookValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(PriceBook.MaxNameLength);
        RuleFor(r => r.Kind).NotNull().IsInEnum();
        When(r => r.Kind == PriceBookKind.Tier, () => RuleFor(r => r.Tier).NotEmpty().MaximumLength(PriceBook.MaxTierLength))
            .Otherwise(() => RuleFor(r => r.Tier).Empty().WithMessage("tier is only allowed on a tier price book."));
        When(r => r.Kind == PriceBookKind.Customer, () => RuleFor(r => r.CustomerId).NotNull().NotEqual(Guid.Empty))
            .Otherwise(() => RuleFor(r => r.CustomerId).Null().WithMessage("customerId is only allowed on a customer price book."));
        RuleFor(r => r.ValidTo).GreaterThanOrEqualTo(r => r.ValidFrom).When(r => r.ValidFrom is not null && r.ValidTo is not null)
            .WithMessage("validTo cannot be before validFrom.");
    }
}

internal sealed class CreatePriceBookHandler(SalesDbContext db, ICustomerDirectory customers, TimeProvider time)
    : IRequestHandler<CreatePriceBookRequest, PriceBookResponse>
{
    public async Task<PriceBookResponse> Handle(CreatePriceBookRequest request, CancellationToken cancellationToken)
    {
        var customerId = request.CustomerId;
        if (customerId is { } id)
        {
            // A merged customer's book belongs to the survivor, where the price lookups will ask.
            var found = await customers.FindAsync([id], cancellationToken);
            customerId = found.TryGetValue(id, out var customer)
                ? customer.Id
                : throw ValidationFailedException.For("customerId", "There is no such customer.");
        }

        var book = PriceBook.Create(request.Name, request.Kind!.Value, request.Tier, customerId, request.ValidFrom, request.ValidTo, time.UtcNow());
        db.PriceBooks.Add(book);
        await PriceBookProblems.SaveAsync(db, book.Name, cancellationToken);
        return PriceBookProjection.From(book);
    }
}

/// <summary>A price book with its row version, which the endpoints answer as the ETag.</summary>
internal sealed record VersionedPriceBook(PriceBookResponse PriceBook, uint Version);

internal sealed record GetPriceBookRequest(Guid Id) : IRequest<VersionedPriceBook>;

internal sealed class GetPriceBookHandler(SalesDbContext db) : IRequestHandler<GetPriceBookRequest, VersionedPriceBook>
{
    public async Task<VersionedPriceBook> Handle(GetPriceBookRequest request, CancellationToken cancellationToken)
    {
        var book = await db.PriceBooks.AsNoTracking().FirstOrDefaultAsync(b => b.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("PriceBook", request.Id);
        return new VersionedPriceBook(PriceBookProjection.From(book), book.Version);
    }
}

/// <summary>
/// A JSON merge patch of a price book: rename, re-date (<c>null</c> opens a bound) or deactivate with
/// <c>{"active": false}</c>. Kind, tier and customer are the book's identity and are not patchable.
/// </summary>
/// <param name="Name">Name, unique.</param>
/// <param name="ValidFrom">First day it applies (inclusive).</param>
/// <param name="ValidTo">Last day it applies (inclusive).</param>
/// <param name="Active">Whether it takes part in price resolution.</param>
internal sealed record UpdatePriceBookRequest(
    Optional<string> Name,
    Optional<DateOnly?> ValidFrom,
    Optional<DateOnly?> ValidTo,
    Optional<bool?> Active) : IRequest<VersionedPriceBook>
{
    [System.Text.Json.Serialization.JsonIgnore]
    public Guid Id { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdatePriceBookValidator : AbstractValidator<UpdatePriceBookRequest>
{
    public UpdatePriceBookValidator()
    {
        When(r => r.Name.HasValue, () => RuleFor(r => r.Name.Value).NotEmpty().MaximumLength(PriceBook.MaxNameLength).OverridePropertyName("name"));
        When(r => r.Active.HasValue, () => RuleFor(r => r.Active.Value).NotNull().OverridePropertyName("active"));
    }
}

internal sealed class UpdatePriceBookHandler(SalesDbContext db, TimeProvider time) : IRequestHandler<UpdatePriceBookRequest, VersionedPriceBook>
{
    public async Task<VersionedPriceBook> Handle(UpdatePriceBookRequest request, CancellationToken cancellationToken)
    {
        var book = await db.PriceBooks.FirstOrDefaultAsync(b => b.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("PriceBook", request.Id);
        request.IfMatch.EnsureMatches(book.Version);
        var validFrom = request.ValidFrom.Or(book.ValidFrom);
        var validTo = request.ValidTo.Or(book.ValidTo);

        // Checked on the patched result: patching one bound must not cross the other one.
        if (validFrom is not null && validTo is not null && validTo < validFrom)
        {
            throw ValidationFailedException.For("validTo", "validTo cannot be before validFrom.");
        }

        var name = request.Name.Or(book.Name);
        book.Update(name, validFrom, validTo, request.Active.Or(book.Active) ?? book.Active, time.UtcNow());
        await PriceBookProblems.SaveAsync(db, name, cancellationToken);
        return new VersionedPriceBook(PriceBookProjection.From(book), book.Version);
    }
}

internal sealed record RemovePriceBookEntryRequest(Guid PriceBookId, Guid ProductId) : IRequest<Unit>;

internal sealed class RemovePriceBookEntryHandler(SalesDbContext db, TimeProvider time) : IRequestHandler<RemovePriceBookEntryRequest, Unit>
{
    public async Task<Unit> Handle(RemovePriceBookEntryRequest request, CancellationToken cancellationToken)
    {
        var book = await db.PriceBooks.FirstOrDefaultAsync(b => b.Id == request.PriceBookId, cancellationToken)
            ?? throw new NotFoundException("PriceBook", request.PriceBookId);
        var entry = await db.PriceBookEntries.FirstOrDefaultAsync(e => e.PriceBookId == book.Id && e.ProductId == request.ProductId, cancellationToken)
            ?? throw new NotFoundException("PriceBookEntry", request.ProductId);
        db.PriceBookEntries.Remove(entry);
        book.Touch(time.UtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}

internal sealed record ListPriceBooksRequest(PageRequest Page, string? Sort, PriceBookKind? Kind, Guid? CustomerId) : IRequest<Page<PriceBookResponse>>;

internal sealed class ListPriceBooksHandler(SalesDbContext db) : IRequestHandler<ListPriceBooksRequest, Page<PriceBookResponse>>
{
    public async Task<Page<PriceBookResponse>> Handle(ListPriceBooksRequest request, CancellationToken cancellationToken)
    {
        var order = PriceBookProjection.Sort.Parse(request.Sort);
        var books = db.PriceBooks.AsNoTracking();
        if (request.Kind is { } kind)
        {
            books = books.Where(b => b.Kind == kind);
        }

        if (request.CustomerId is { } customerId)
        {
            books = books.Where(b => b.CustomerId == customerId);
        }

        return await books.ToPageAsync(PriceBookProjection.ToResponse, order, request.Page, cancellationToken);
    }
}

/// <summary>Set the unit price of a product in a price book (creates or replaces the entry).</summary>
/// <param name="UnitPrice">Unit price, 0 or more, 2 decimals (required).</param>
/// <param name="Currency">ISO 4217 currency (default: the product's currency).</param>
internal sealed record SetPriceBookEntryRequest(decimal? UnitPrice, string? Currency = null) : IRequest<PriceBookEntryResponse>
{
    [System.Text.Json.Serialization.JsonIgnore]
    public Guid PriceBookId { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public Guid ProductId { get; init; }
}

internal sealed class SetPriceBookEntryValidator : AbstractValidator<SetPriceBookEntryRequest>
{
    public SetPriceBookEntryValidator()
    {
        RuleFor(r => r.UnitPrice).NotNull().GreaterThanOrEqualTo(0m).PrecisionScale(18, 2, true);
        RuleFor(r => r.Currency).Matches("^[A-Za-z]{3}$").WithMessage("currency must be an ISO 4217 code such as CNY.");
    }
}

internal sealed class SetPriceBookEntryHandler(SalesDbContext db, TimeProvider time) : IRequestHandler<SetPriceBookEntryRequest, PriceBookEntryResponse>
{
    public async Task<PriceBookEntryResponse> Handle(SetPriceBookEntryRequest request, CancellationToken cancellationToken)
    {
        var book = await db.PriceBooks.FirstOrDefaultAsync(b => b.Id == request.PriceBookId, cancellationToken)
            ?? throw new NotFoundException("PriceBook", request.PriceBookId);
        var product = await db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.Id == request.ProductId, cancellationToken)
            ?? throw new NotFoundException("Product", request.ProductId);
        var now = time.UtcNow();
        var currency = request.Currency ?? product.Currency;
        var entry = await db.PriceBookEntries.FirstOrDefaultAsync(e => e.PriceBookId == book.Id && e.ProductId == product.Id, cancellationToken);
        if (entry is null)
        {
            entry = PriceBookEntry.Create(book.Id, product.Id, request.UnitPrice!.Value, currency, now);
            db.PriceBookEntries.Add(entry);
        }
        else
        {
            entry.Reprice(request.UnitPrice!.Value, currency, now);
        }

        book.Touch(now);
        await db.SaveChangesOrConflictAsync(
            _ => new ConflictException(ProblemTypes.ConcurrencyConflict, "Concurrent price change", "The price was set concurrently; repeat the request."),
            cancellationToken);

        return new PriceBookEntryResponse(entry.PriceBookId, entry.ProductId, entry.UnitPrice, entry.Currency, entry.UpdatedAt);
    }
}

internal sealed record ListPriceBookEntriesRequest(Guid PriceBookId, PageRequest Page) : IRequest<Page<PriceBookEntryResponse>>;

internal sealed class ListPriceBookEntriesHandler(SalesDbContext db) : IRequestHandler<ListPriceBookEntriesRequest, Page<PriceBookEntryResponse>>
{
    public async Task<Page<PriceBookEntryResponse>> Handle(ListPriceBookEntriesRequest request, CancellationToken cancellationToken)
    {
        if (!await db.PriceBooks.AnyAsync(b => b.Id == request.PriceBookId, cancellationToken))
        {
            throw new NotFoundException("PriceBook", request.PriceBookId);
        }

        var entries = db.PriceBookEntries.AsNoTracking().Where(e => e.PriceBookId == request.PriceBookId);
        return await entries.ToPageAsync(PriceBookProjection.EntryToResponse, PriceBookProjection.EntrySort.Parse(null), request.Page, cancellationToken);
    }
}

/// <summary>Resolve the price of a product for a customer on a day.</summary>
/// <param name="ProductId">The product.</param>
/// <param name="CustomerId">The customer; without it only the standard book and the list price apply.</param>
/// <param name="On">The day (default: today).</param>
internal sealed record ResolvePriceRequest(Guid? ProductId, Guid? CustomerId, DateOnly? On) : IRequest<PriceResolutionResponse>;

internal sealed class ResolvePriceValidator : AbstractValidator<ResolvePriceRequest>
{
    public ResolvePriceValidator() => RuleFor(r => r.ProductId).NotNull().NotEqual(Guid.Empty);
}

/// <summary>
/// Price resolution, shared with quotes: the customer's own book beats its tier's book, which beats the standard book,
/// which beats the product's list price. Only active books valid on the day count (both bounds inclusive). When two
/// books of the same rank apply (overlapping customer agreements), the one that started latest wins, then the newest.
/// </summary>
internal sealed class PriceResolver(SalesDbContext db, ICustomerDirectory customers, IAccessScopeProvider access)
{
    public async Task<PriceResolutionResponse> ResolveAsync(Guid productId, Guid? customerId, DateOnly day, CancellationToken ct)
    {
        CustomerSnapshot? customer = null;
        if (customerId is { } id)
        {
            var found = await customers.FindAsync([id], ct);
            var scope = await access.GetAsync(ct);

            // Customers the caller cannot see do not exist for them; pool customers (no owner) are visible to all.
            if (!found.TryGetValue(id, out customer) || !scope.CanSee(customer.OwnerId, includeUnowned: true))
            {
                throw new NotFoundException("Customer", id);
            }
        }

        var prices = await ResolveManyAsync([productId], customer, day, ct);
        return prices.TryGetValue(productId, out var price) ? price : throw new NotFoundException("Product", productId);
    }

    /// <summary>
    /// The prices of several products for one customer (already checked as visible by the caller) on a day, keyed by
    /// product id; unknown products are absent. Two statements whatever the number of products (quotes price all their
    /// lines at once).
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, PriceResolutionResponse>> ResolveManyAsync(
        IReadOnlyCollection<Guid> productIds, CustomerSnapshot? customer, DateOnly day, CancellationToken ct)
    {
        var ids = productIds.Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => ids.Contains(p.Id))
            .Select(p => new { p.Id, p.Sku, p.ListPrice, p.Currency }).ToListAsync(ct);
        var resolvedCustomerId = customer?.Id;
        var tier = customer?.Tier;

        // One statement: every applicable entry of the products, most specific book first; the (product_id) index finds them.
        // An open start means "since ever", the earliest start: PostgreSQL would sort NULL first in a descending order.
        var candidates = await (
                from e in db.PriceBookEntries.AsNoTracking()
                join b in db.PriceBooks.AsNoTracking() on e.PriceBookId equals b.Id
                where ids.Contains(e.ProductId) && b.Active
                    && (b.ValidFrom == null || b.ValidFrom <= day) && (b.ValidTo == null || b.ValidTo >= day)
                    && ((b.Kind == PriceBookKind.Customer && b.CustomerId == resolvedCustomerId)
                        || (b.Kind == PriceBookKind.Tier && tier != null && b.Tier == tier)
                        || b.Kind == PriceBookKind.Standard)
                orderby e.ProductId, (b.Kind == PriceBookKind.Customer ? 0 : b.Kind == PriceBookKind.Tier ? 1 : 2), b.ValidFrom ?? DateOnly.MinValue descending,
                    b.CreatedAt descending
                select new { e.ProductId, b.Id, b.Name, b.Kind, e.UnitPrice, e.Currency })
            .ToListAsync(ct);

        // The candidates come ordered, and grouping keeps that order: the first of each product is the winner.
        var winners = candidates.GroupBy(c => c.ProductId).ToDictionary(g => g.Key, g => g.First());
        var prices = new Dictionary<Guid, PriceResolutionResponse>(products.Count);
        foreach (var product in products)
        {
            if (!winners.TryGetValue(product.Id, out var winner))
            {
                prices[product.Id] = new PriceResolutionResponse(product.Id, product.Sku, resolvedCustomerId, tier, day, product.ListPrice, product.Currency,
                    PriceSource.ListPrice, null, null, $"No active price book valid on {Day(day)} prices {product.Sku}: the product's list price applies.");
                continue;
            }

            var (source, why) = winner.Kind switch
            {
                PriceBookKind.Customer => (PriceSource.CustomerBook, "the customer's own price book applies"),
                PriceBookKind.Tier => (PriceSource.TierBook, $"the price book of customer tier '{tier}' applies (no customer book prices it)"),
                _ => (PriceSource.StandardBook, "the standard price book applies (no customer or tier book prices it)"),
            };
            prices[product.Id] = new PriceResolutionResponse(product.Id, product.Sku, resolvedCustomerId, tier, day, winner.UnitPrice, winner.Currency, source,
                winner.Id, winner.Name, $"On {Day(day)} {why}: '{winner.Name}'.");
        }

        return prices;
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

internal sealed class ResolvePriceHandler(PriceResolver resolver, TimeProvider time) : IRequestHandler<ResolvePriceRequest, PriceResolutionResponse>
{
    public Task<PriceResolutionResponse> Handle(ResolvePriceRequest request, CancellationToken cancellationToken) =>
        resolver.ResolveAsync(request.ProductId!.Value, request.CustomerId, request.On ?? DateOnly.FromDateTime(time.GetLocalNow().DateTime), cancellationToken);
}
