using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.PriceBooks;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Opportunities;

/// <summary>A product line of an opportunity.</summary>
/// <param name="Id">Line id.</param>
/// <param name="ProductId">The product.</param>
/// <param name="Sku">The product's SKU.</param>
/// <param name="ProductName">The product's name.</param>
/// <param name="Unit">The product's unit of sale.</param>
/// <param name="Quantity">Quantity.</param>
/// <param name="UnitPrice">Price of one unit before the discount, in the opportunity's currency.</param>
/// <param name="DiscountPercent">Discount in percent.</param>
/// <param name="LineAmount">quantity × unitPrice × (1 − discountPercent ÷ 100), rounded to cents.</param>
/// <param name="CreatedAt">Added.</param>
/// <param name="UpdatedAt">Last changed.</param>
internal sealed record OpportunityLineResponse(
    Guid Id, Guid ProductId, string Sku, string ProductName, string Unit, decimal Quantity, decimal UnitPrice, decimal DiscountPercent, decimal LineAmount,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An opportunity's product lines and the amount they add up to.</summary>
/// <param name="OpportunityId">The opportunity.</param>
/// <param name="Amount">The opportunity's amount: the sum of the line amounts.</param>
/// <param name="Currency">The currency of every price and amount.</param>
/// <param name="Lines">The lines, oldest first.</param>
internal sealed record OpportunityLinesResponse(Guid OpportunityId, decimal Amount, string Currency, IReadOnlyList<OpportunityLineResponse> Lines);

/// <summary>The lines with the opportunity version that becomes their ETag (the opportunity's).</summary>
internal sealed record VersionedOpportunityLines(OpportunityLinesResponse Lines, uint Version);

/// <summary>Add a product line to an open opportunity.</summary>
/// <param name="ProductId">An active product (required).</param>
/// <param name="Quantity">More than 0, at most 4 decimals (required).</param>
/// <param name="UnitPrice">0 or more, 2 decimals, in the opportunity's currency; default: the price resolved for the opportunity's customer today (its price book, else the list price).</param>
/// <param name="DiscountPercent">0 to 100, 2 decimals (default 0).</param>
internal sealed record AddOpportunityLineRequest(Guid? ProductId, decimal? Quantity, decimal? UnitPrice = null, decimal? DiscountPercent = null) : IRequest<VersionedOpportunityLines>
{
    [JsonIgnore]
    public Guid OpportunityId { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

/// <summary>Replace a line's quantity, unit price and discount (the product stays; remove the line to change it).</summary>
/// <param name="Quantity">More than 0, at most 4 decimals (required).</param>
/// <param name="UnitPrice">0 or more, 2 decimals (required).</param>
/// <param name="DiscountPercent">0 to 100, 2 decimals (default 0).</param>
internal sealed record ReplaceOpportunityLineRequest(decimal? Quantity, decimal? UnitPrice, decimal? DiscountPercent = null) : IRequest<VersionedOpportunityLines>
{
    [JsonIgnore]
    public Guid OpportunityId { get; init; }

    [JsonIgnore]
    public Guid LineId { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

/// <summary>Remove a line.</summary>
internal sealed record RemoveOpportunityLineRequest(Guid OpportunityId, Guid LineId, IfMatch IfMatch) : IRequest<VersionedOpportunityLines>;

internal sealed record ListOpportunityLinesRequest(Guid OpportunityId) : IRequest<VersionedOpportunityLines>;

internal static class OpportunityLineValidation
{
    public static void Quantity<T>(AbstractValidator<T> validator, Func<T, decimal?> quantity) =>
        validator.RuleFor(r => quantity(r)).NotNull().GreaterThan(0m).LessThan(100_000_000_000_000m).PrecisionScale(18, 4, ignoreTrailingZeros: true)
            .OverridePropertyName("quantity");

    public static void UnitPrice<T>(AbstractValidator<T> validator, Func<T, decimal?> price) =>
        validator.RuleFor(r => price(r)).GreaterThanOrEqualTo(0m).PrecisionScale(18, 2, ignoreTrailingZeros: true).OverridePropertyName("unitPrice");

    public static void Discount<T>(AbstractValidator<T> validator, Func<T, decimal?> discount) =>
        validator.RuleFor(r => discount(r)).InclusiveBetween(0m, 100m).PrecisionScale(5, 2, ignoreTrailingZeros: true).OverridePropertyName("discountPercent");
}

internal sealed class AddOpportunityLineValidator : AbstractValidator<AddOpportunityLineRequest>
{
    public AddOpportunityLineValidator()
    {
        RuleFor(r => r.ProductId).NotNull().NotEqual(Guid.Empty);
        OpportunityLineValidation.Quantity(this, r => r.Quantity);
        OpportunityLineValidation.UnitPrice(this, r => r.UnitPrice);
        OpportunityLineValidation.Discount(this, r => r.DiscountPercent);
    }
}

internal sealed class ReplaceOpportunityLineValidator : AbstractValidator<ReplaceOpportunityLineRequest>
{
    public ReplaceOpportunityLineValidator()
    {
        OpportunityLineValidation.Quantity(this, r => r.Quantity);
        RuleFor(r => r.UnitPrice).NotNull().OverridePropertyName("unitPrice");
        OpportunityLineValidation.UnitPrice(this, r => r.UnitPrice);
        OpportunityLineValidation.Discount(this, r => r.DiscountPercent);
    }
}

internal static class OpportunityLineProblems
{
    public const string CurrencyMismatchType = ProblemTypes.BaseUri + "currency-mismatch";
    public const string TooManyLinesType = ProblemTypes.BaseUri + "too-many-lines";

    public static BusinessRuleException CurrencyMismatch(string sku, string priceCurrency, string opportunityCurrency) =>
        new(CurrencyMismatchType, "Currency mismatch",
            $"The resolved price of {sku} is in {priceCurrency} but the opportunity is in {opportunityCurrency}: send unitPrice in {opportunityCurrency}.");

    public static BusinessRuleException TooManyLines() =>
        new(TooManyLinesType, "Too many lines", $"An opportunity has at most {OpportunityLineRules.MaxLinesPerOpportunity} product lines.");
}

internal sealed class OpportunityLineHandlers(SalesDbContext db, IAccessScopeProvider access, PriceResolver prices, TimeProvider time)
    : IRequestHandler<AddOpportunityLineRequest, VersionedOpportunityLines>,
        IRequestHandler<ReplaceOpportunityLineRequest, VersionedOpportunityLines>,
        IRequestHandler<RemoveOpportunityLineRequest, VersionedOpportunityLines>,
        IRequestHandler<ListOpportunityLinesRequest, VersionedOpportunityLines>
{
    public async Task<VersionedOpportunityLines> Handle(AddOpportunityLineRequest request, CancellationToken cancellationToken)
    {
        var opportunity = await EditableAsync(request.OpportunityId, request.IfMatch, cancellationToken);
        var productId = request.ProductId!.Value;
        var product = await db.Products.AsNoTracking().SingleOrDefaultAsync(p => p.Id == productId && p.Active, cancellationToken)
            ?? throw ValidationFailedException.For("productId", $"No active product {productId}.");
        var opportunityId = opportunity.Id;
        if (await db.OpportunityLines.CountAsync(l => l.OpportunityId == opportunityId, cancellationToken) >= OpportunityLineRules.MaxLinesPerOpportunity)
        {
            throw OpportunityLineProblems.TooManyLines();
        }

        var unitPrice = request.UnitPrice;
        if (unitPrice is null)
        {
            // The price the customer would be quoted today: their price book, their tier's, the standard one, the list price.
            var resolved = await prices.ResolveAsync(product.Id, opportunity.CustomerId, DateOnly.FromDateTime(time.GetLocalNow().DateTime), cancellationToken);
            unitPrice = resolved.Currency == opportunity.Currency
                ? resolved.UnitPrice
                : throw OpportunityLineProblems.CurrencyMismatch(product.Sku, resolved.Currency, opportunity.Currency);
        }

        var now = time.UtcNow();
        db.OpportunityLines.Add(OpportunityLine.Create(opportunity.Id, product.Id, request.Quantity!.Value, unitPrice.Value, request.DiscountPercent ?? 0m, now));
        return await SaveAndTotalAsync(opportunity, now, cancellationToken);
    }

    public async Task<VersionedOpportunityLines> Handle(ReplaceOpportunityLineRequest request, CancellationToken cancellationToken)
    {
        var opportunity = await EditableAsync(request.OpportunityId, request.IfMatch, cancellationToken);
        var line = await db.OpportunityLines.SingleOrDefaultAsync(l => l.Id == request.LineId && l.OpportunityId == opportunity.Id, cancellationToken)
            ?? throw new NotFoundException("Opportunity line", request.LineId);
        var now = time.UtcNow();
        line.Change(request.Quantity!.Value, request.UnitPrice!.Value, request.DiscountPercent ?? 0m, now);
        return await SaveAndTotalAsync(opportunity, now, cancellationToken);
    }

    public async Task<VersionedOpportunityLines> Handle(RemoveOpportunityLineRequest request, CancellationToken cancellationToken)
    {
        var opportunity = await EditableAsync(request.OpportunityId, request.IfMatch, cancellationToken);
        var line = await db.OpportunityLines.SingleOrDefaultAsync(l => l.Id == request.LineId && l.OpportunityId == opportunity.Id, cancellationToken)
            ?? throw new NotFoundException("Opportunity line", request.LineId);
        db.OpportunityLines.Remove(line);
        return await SaveAndTotalAsync(opportunity, time.UtcNow(), cancellationToken);
    }

    public async Task<VersionedOpportunityLines> Handle(ListOpportunityLinesRequest request, CancellationToken cancellationToken)
    {
        var opportunity = await OpportunityAccess.FindVisibleAsync(db.Opportunities.AsNoTracking(), access, request.OpportunityId, cancellationToken);
        return await ReadAsync(opportunity, cancellationToken);
    }

    /// <summary>The visible (404), open (409) opportunity at the version the client read (412).</summary>
    private async Task<Opportunity> EditableAsync(Guid id, IfMatch ifMatch, CancellationToken ct)
    {
        var opportunity = await OpportunityAccess.FindVisibleAsync(db.Opportunities, access, id, ct);
        ifMatch.EnsureMatches(opportunity.Version);
        return opportunity.IsOpen ? opportunity : throw OpportunityProblems.Closed(opportunity);
    }

    /// <summary>
    /// Saves the line change, then sets the opportunity's amount to the lines' total in the same transaction. The
    /// opportunity's row version makes concurrent line changes safe: the second writer's total would miss the first's
    /// line, so its opportunity update fails the version check and the whole change rolls back.
    /// </summary>
    private async Task<VersionedOpportunityLines> SaveAndTotalAsync(Opportunity opportunity, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        var opportunityId = opportunity.Id;
        var total = await db.OpportunityLines.Where(l => l.OpportunityId == opportunityId).SumAsync(l => l.LineAmount, ct);
        opportunity.ApplyLineTotal(total, now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return await ReadAsync(opportunity, ct);
    }

    private async Task<VersionedOpportunityLines> ReadAsync(Opportunity opportunity, CancellationToken ct)
    {
        var opportunityId = opportunity.Id;
        var lines = await (
                from l in db.OpportunityLines.AsNoTracking()
                join p in db.Products.AsNoTracking() on l.ProductId equals p.Id
                where l.OpportunityId == opportunityId
                orderby l.CreatedAt, l.Id
                select new OpportunityLineResponse(l.Id, l.ProductId, p.Sku, p.Name, p.Unit, l.Quantity, l.UnitPrice, l.DiscountPercent, l.LineAmount, l.CreatedAt, l.UpdatedAt))
            .ToListAsync(ct);
        return new VersionedOpportunityLines(new OpportunityLinesResponse(opportunity.Id, opportunity.Amount, opportunity.Currency, lines), opportunity.Version);
    }
}
