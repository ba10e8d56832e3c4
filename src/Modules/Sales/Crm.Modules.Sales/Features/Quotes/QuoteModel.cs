using System.Linq.Expressions;
using System.Text.Json;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.PriceBooks;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Quotes;

/// <summary>A line of a quote with its computed amounts.</summary>
/// <param name="Position">1-based order on the quote.</param>
/// <param name="ProductId">The product.</param>
/// <param name="Sku">The product's SKU when quoted.</param>
/// <param name="ProductName">The product's name when quoted.</param>
/// <param name="Unit">Unit of sale.</param>
/// <param name="Description">Extra text for the line.</param>
/// <param name="Quantity">Quantity, up to 3 decimals.</param>
/// <param name="ReferenceUnitPrice">The resolved price (customer book, tier book, standard book or list price) discounts are measured against.</param>
/// <param name="PriceSource">Where the reference price came from: customerBook, tierBook, standardBook or listPrice.</param>
/// <param name="PriceBookId">The price book of the reference price (null for the list price).</param>
/// <param name="UnitPrice">Unit price before the line discount.</param>
/// <param name="DiscountPercent">Line discount in percent.</param>
/// <param name="EffectiveDiscountPercent">How far the net unit price is below the reference price, in percent (what approval looks at).</param>
/// <param name="TaxRatePercent">VAT rate in percent.</param>
/// <param name="GrossAmount">round(quantity × unit price).</param>
/// <param name="DiscountAmount">round(gross × discount%).</param>
/// <param name="NetAmount">gross − discount.</param>
/// <param name="TaxAmount">round(net × tax rate%).</param>
/// <param name="LineTotal">net + tax.</param>
internal sealed record QuoteLineResponse(
    int Position,
    Guid ProductId,
    string Sku,
    string ProductName,
    string Unit,
    string? Description,
    decimal Quantity,
    decimal ReferenceUnitPrice,
    PriceSource PriceSource,
    Guid? PriceBookId,
    decimal UnitPrice,
    decimal DiscountPercent,
    decimal EffectiveDiscountPercent,
    decimal TaxRatePercent,
    decimal GrossAmount,
    decimal DiscountAmount,
    decimal NetAmount,
    decimal TaxAmount,
    decimal LineTotal);

/// <summary>A quote (报价) revision.</summary>
/// <param name="Id">Id of this revision.</param>
/// <param name="Number">The number shared by all revisions (Q-2026-000123).</param>
/// <param name="Revision">1 for the first version.</param>
/// <param name="DisplayNumber">Number and revision as printed (Q-2026-000123 v2).</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="OpportunityId">The opportunity it belongs to, if any.</param>
/// <param name="OwnerId">The rep responsible.</param>
/// <param name="Title">Title.</param>
/// <param name="Currency">ISO 4217 currency of every amount.</param>
/// <param name="ValidUntil">Last day the offer holds.</param>
/// <param name="PricedOn">The day the lines were priced on.</param>
/// <param name="Status">draft, pendingApproval, approved, sent, accepted, rejected or expired (derived from validUntil).</param>
/// <param name="ReadOnly">True once sent, answered or superseded by a newer revision.</param>
/// <param name="Subtotal">Sum of the gross line amounts.</param>
/// <param name="DiscountTotal">Sum of the line discounts.</param>
/// <param name="TaxTotal">Sum of the line taxes.</param>
/// <param name="Total">subtotal − discount + tax.</param>
/// <param name="MaxDiscountPercent">The largest effective line discount.</param>
/// <param name="ApprovalThresholdPercent">The threshold in force when the lines were saved; a larger discount needs approval.</param>
/// <param name="Notes">Terms and notes.</param>
/// <param name="Lines">The lines in order.</param>
/// <param name="RevisionOfId">The revision this one replaced.</param>
/// <param name="SupersededById">The revision that replaced this one.</param>
/// <param name="SentAt">When it was sent.</param>
/// <param name="AnsweredAt">When the customer's answer was recorded.</param>
/// <param name="RejectionReason">Why the customer rejected it.</param>
/// <param name="CreatedAt">When this revision was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
internal sealed record QuoteResponse(
    Guid Id,
    string Number,
    int Revision,
    string DisplayNumber,
    Guid CustomerId,
    Guid? OpportunityId,
    Guid? OwnerId,
    string Title,
    string Currency,
    DateOnly ValidUntil,
    DateOnly PricedOn,
    QuoteStatus Status,
    bool ReadOnly,
    decimal Subtotal,
    decimal DiscountTotal,
    decimal TaxTotal,
    decimal Total,
    decimal MaxDiscountPercent,
    decimal ApprovalThresholdPercent,
    string? Notes,
    IReadOnlyList<QuoteLineResponse> Lines,
    Guid? RevisionOfId,
    Guid? SupersededById,
    DateTimeOffset? SentAt,
    DateTimeOffset? AnsweredAt,
    string? RejectionReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A quote revision in a list (without lines).</summary>
/// <param name="Id">Id of the revision.</param>
/// <param name="Number">Quote number.</param>
/// <param name="Revision">Revision.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="OpportunityId">The opportunity, if any.</param>
/// <param name="OwnerId">The rep responsible.</param>
/// <param name="Title">Title.</param>
/// <param name="Currency">Currency.</param>
/// <param name="ValidUntil">Last day the offer holds.</param>
/// <param name="Status">Status (expired derived from validUntil).</param>
/// <param name="Total">Total.</param>
/// <param name="SupersededById">The revision that replaced it, if any.</param>
/// <param name="CreatedAt">When it was created.</param>
internal sealed record QuoteSummaryResponse(
    Guid Id,
    string Number,
    int Revision,
    Guid CustomerId,
    Guid? OpportunityId,
    Guid? OwnerId,
    string Title,
    string Currency,
    DateOnly ValidUntil,
    QuoteStatus Status,
    decimal Total,
    Guid? SupersededById,
    DateTimeOffset CreatedAt);

/// <summary>A quote with its row version, which the endpoints answer as the ETag.</summary>
internal sealed record VersionedQuote(QuoteResponse Quote, uint Version);

internal static class QuoteProjection
{
    /// <summary>Stored fields only; the list handler derives expired afterwards (see <see cref="WithStatusOn"/>).</summary>
    public static readonly Expression<Func<Quote, QuoteSummaryResponse>> ToSummary = q =>
        new QuoteSummaryResponse(q.Id, q.Number, q.Revision, q.CustomerId, q.OpportunityId, q.OwnerId, q.Title, q.Currency, q.ValidUntil, q.Status, q.Total,
            q.SupersededById, q.CreatedAt);

    /// <summary>Newest first by default.</summary>
    public static readonly SortDefinition<Quote, QuoteSummaryResponse> Sort = new SortDefinition<Quote, QuoteSummaryResponse>(q => q.Id, q => q.Id, "-createdAt")
        .Add("createdAt", q => q.CreatedAt, q => q.CreatedAt)
        .Add("validUntil", q => q.ValidUntil, q => q.ValidUntil)
        .Add("total", q => q.Total, q => q.Total);

    public static QuoteSummaryResponse WithStatusOn(QuoteSummaryResponse q, DateOnly today) =>
        Quote.IsOpen(q.Status) && q.ValidUntil < today ? q with { Status = QuoteStatus.Expired } : q;

    public static VersionedQuote Versioned(Quote q, DateOnly today)
    {
        var status = q.StatusOn(today);
        var lines = q.Lines.OrderBy(l => l.Position)
            .Select(l => new QuoteLineResponse(l.Position, l.ProductId, l.Sku, l.ProductName, l.Unit, l.Description, l.Quantity, l.ReferenceUnitPrice, l.PriceSource,
                l.PriceBookId, l.UnitPrice, l.DiscountPercent, l.EffectiveDiscountPercent, l.TaxRatePercent, l.GrossAmount, l.DiscountAmount, l.NetAmount, l.TaxAmount,
                l.LineTotal))
            .ToList();
        return new VersionedQuote(
            new QuoteResponse(
                q.Id, q.Number, q.Revision, q.DisplayNumber, q.CustomerId, q.OpportunityId, q.OwnerId, q.Title, q.Currency, q.ValidUntil, q.PricedOn, status,
                !q.IsEditable, q.Subtotal, q.DiscountTotal, q.TaxTotal, q.Total, q.MaxDiscountPercent, q.ApprovalThresholdPercent, q.Notes, lines, q.RevisionOfId,
                q.SupersededById, q.SentAt, q.AnsweredAt, q.RejectionReason, q.CreatedAt, q.UpdatedAt),
            q.Version);
    }
}

internal static class QuoteProblems
{
    public const string UnknownCustomerType = ProblemTypes.BaseUri + "unknown-customer";
    public const string CustomerNotOpenType = ProblemTypes.BaseUri + "customer-not-open";
    public const string UnknownOpportunityType = ProblemTypes.BaseUri + "unknown-opportunity";
    public const string ProductInactiveType = ProblemTypes.BaseUri + "product-inactive";
    public const string CurrencyMismatchType = ProblemTypes.BaseUri + "price-currency-mismatch";
    public const string ReadOnlyType = ProblemTypes.BaseUri + "quote-read-only";
    public const string StatusType = ProblemTypes.BaseUri + "invalid-quote-transition";
    public const string ExpiredType = ProblemTypes.BaseUri + "quote-expired";
    public const string ApprovalRequiredType = ProblemTypes.BaseUri + "quote-approval-required";
    public const string AlreadyRevisedType = ProblemTypes.BaseUri + "quote-already-revised";

    public static ProblemException UnknownCustomer(Guid id) =>
        new(422, UnknownCustomerType, "Unknown customer", $"Customer '{id}' does not exist or is not visible to you.");

    public static ProblemException UnknownOpportunity(Guid id) =>
        new(422, UnknownOpportunityType, "Unknown opportunity", $"Opportunity '{id}' does not exist, is not visible to you or belongs to another customer.");

    public static ConflictException ReadOnly(Quote quote) =>
        new(ReadOnlyType, "Quote is read-only", quote.SupersededById is not null
            ? $"{quote.DisplayNumber} was superseded by a newer revision; change the latest revision."
            : $"{quote.DisplayNumber} is {Name(quote.Status)}: the customer has seen it, so changes need a revision (POST .../revise).");

    public static ConflictException Transition(Quote quote, QuoteAction action) =>
        new(StatusType, "Not allowed in this status", $"{quote.DisplayNumber} is {Name(quote.Status)}; it cannot be {PastTense(action)}.");

    private static string PastTense(QuoteAction action) => action switch
    {
        QuoteAction.Send => "sent",
        QuoteAction.Accept => "accepted",
        QuoteAction.Reject => "rejected",
        QuoteAction.ApproveDiscount => "approved",
        _ => "declined",
    };

    public static ConflictException Expired(Quote quote) =>
        new(ExpiredType, "Quote expired", $"{quote.DisplayNumber} expired after {quote.ValidUntil:yyyy-MM-dd}; revise it with a new validity date.");

    public static ConflictException ApprovalRequired(Quote quote) =>
        new(ApprovalRequiredType, "Discount approval pending",
            $"{quote.DisplayNumber} has a discount of {quote.MaxDiscountPercent}% over the {quote.ApprovalThresholdPercent}% threshold; a manager must approve it before it is sent.");

    public static string Name<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}

/// <summary>One line of a quote or an order to create or replace (both price their lines alike).</summary>
/// <param name="ProductId">The product (required, active).</param>
/// <param name="Quantity">Quantity, more than 0, at most 3 decimals (required).</param>
/// <param name="UnitPrice">Unit price (default: the resolved price for the customer on the pricing day).</param>
/// <param name="DiscountPercent">Line discount, 0 to 100, 2 decimals (default 0).</param>
/// <param name="TaxRatePercent">VAT rate, 0 to 100, 2 decimals (default 13).</param>
/// <param name="Description">Extra text for the line (at most 1000 characters).</param>
internal sealed record QuoteLineRequest(
    Guid? ProductId,
    decimal? Quantity,
    decimal? UnitPrice = null,
    decimal? DiscountPercent = null,
    decimal? TaxRatePercent = null,
    string? Description = null);

internal sealed class QuoteLineValidator : AbstractValidator<QuoteLineRequest>
{
    public const decimal MaxQuantity = 1_000_000_000m;

    public QuoteLineValidator()
    {
        RuleFor(l => l.ProductId).NotNull().NotEqual(Guid.Empty);
        RuleFor(l => l.Quantity).NotNull().GreaterThan(0m).LessThanOrEqualTo(MaxQuantity).PrecisionScale(18, 3, true);
        RuleFor(l => l.UnitPrice).GreaterThanOrEqualTo(0m).LessThanOrEqualTo(QuoteMath.MaxAmount).PrecisionScale(18, 2, true);
        RuleFor(l => l.DiscountPercent).InclusiveBetween(0m, 100m).PrecisionScale(5, 2, true);
        RuleFor(l => l.TaxRatePercent).InclusiveBetween(0m, 100m).PrecisionScale(5, 2, true);
        RuleFor(l => l.Description).MaximumLength(PricedLine.MaxDescriptionLength);
    }
}

/// <summary>The document whose lines are priced, as its messages name it: order lines are priced as quote lines are.</summary>
/// <param name="Noun">quote or order.</param>
/// <param name="Participle">What an inactive product cannot be: quoted or ordered.</param>
internal sealed record LineDocument(string Noun, string Participle)
{
    public static readonly LineDocument Quote = new("quote", "quoted");
    public static readonly LineDocument Order = new("order", "ordered");
}

/// <summary>The rules and look-ups create, update and revise share (orders use the customer check and the pricing too).</summary>
internal static class QuoteRules
{
    /// <summary>Today in the server's time zone, as price resolution counts days.</summary>
    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetLocalNow().DateTime);

    public static async Task<decimal> ThresholdAsync(SalesDbContext db, CancellationToken ct) =>
        await db.QuoteSettings.AsNoTracking().Select(s => (decimal?)s.DiscountApprovalThresholdPercent).FirstOrDefaultAsync(ct)
        ?? QuoteSettings.DefaultDiscountApprovalThresholdPercent;

    /// <summary>The quote when the caller may see it (by its owner); otherwise 404, whether it exists or not.</summary>
    public static async Task<Quote> FindVisibleAsync(IQueryable<Quote> quotes, AccessScope scope, Guid id, CancellationToken ct) =>
        await quotes.Where(q => q.Id == id).Where(scope.Filter<Quote>(q => q.OwnerId)).SingleOrDefaultAsync(ct)
        ?? throw new NotFoundException("Quote", id);

    /// <summary>A customer the caller can see (own, in scope, or in the public pool) and still open for business.</summary>
    public static async Task<CustomerSnapshot> FindCustomerAsync(ICustomerDirectory customers, AccessScope scope, Guid id, LineDocument document, CancellationToken ct)
    {
        var found = await customers.FindAsync([id], ct);
        if (!found.TryGetValue(id, out var customer) || !scope.CanSee(customer.OwnerId, includeUnowned: true))
        {
            throw QuoteProblems.UnknownCustomer(id);
        }

        return customer.Status is "archived" or "blacklisted"
            ? throw new BusinessRuleException(QuoteProblems.CustomerNotOpenType, "Customer not open for business", $"Customer {customer.Code} is {customer.Status}: no new {document.Noun}s.")
            : customer;
    }

    /// <summary>
    /// Prices the lines for the customer on <paramref name="day"/> with one price resolution for all of them: a line
    /// without a unit price takes the resolved one, and every line keeps the resolved price as its reference.
    /// </summary>
    public static async Task<List<QuoteLine>> PriceLinesAsync(
        SalesDbContext db,
        PriceResolver prices,
        CustomerSnapshot? customer,
        string currency,
        DateOnly day,
        IReadOnlyList<QuoteLineRequest> lines,
        LineDocument document,
        CancellationToken ct)
    {
        var productIds = lines.Select(l => l.ProductId!.Value).Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => productIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var missing = lines.Select((l, i) => (l, i)).Where(x => !products.ContainsKey(x.l.ProductId!.Value))
            .Select(x => ($"lines[{x.i}].productId", $"There is no product {x.l.ProductId}.")).ToList();
        if (missing.Count > 0)
        {
            throw ValidationFailedException.From(missing);
        }

        if (products.Values.FirstOrDefault(p => !p.Active) is { } inactive)
        {
            throw new BusinessRuleException(QuoteProblems.ProductInactiveType, "Product inactive", $"Product {inactive.Sku} is inactive and cannot be {document.Participle}.");
        }

        var resolved = await prices.ResolveManyAsync(productIds, customer, day, ct);
        var result = new List<QuoteLine>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var request = lines[i];
            var product = products[request.ProductId!.Value];
            var price = resolved[product.Id];
            if (!string.Equals(price.Currency, currency, StringComparison.Ordinal))
            {
                throw new BusinessRuleException(QuoteProblems.CurrencyMismatchType, "Price in another currency",
                    $"Product {product.Sku} is priced in {price.Currency} ({price.Source}); this {document.Noun} is in {currency}.");
            }

            var line = QuoteLine.Create(product.Id, product.Sku, product.Name, product.Unit, request.Description, request.Quantity!.Value, price.UnitPrice, price.Source,
                price.PriceBookId, request.UnitPrice ?? price.UnitPrice, request.DiscountPercent ?? 0m, request.TaxRatePercent ?? PricedLine.DefaultTaxRatePercent);
            if (line.LineTotal > QuoteMath.MaxAmount || line.GrossAmount > QuoteMath.MaxAmount)
            {
                throw ValidationFailedException.For($"lines[{i}].quantity", "The line amount is larger than an amount can be.");
            }

            result.Add(line);
        }

        return result.Sum(l => l.LineTotal) > QuoteMath.MaxAmount || result.Sum(l => l.GrossAmount) > QuoteMath.MaxAmount
            ? throw ValidationFailedException.For("lines", $"The {document.Noun} total is larger than an amount can be.")
            : result;
    }

    /// <summary>
    /// After the figures changed: a pending request for the old figures is withdrawn, and a new one is raised when the new
    /// figures need approval. The partial unique index keeps one pending request per quote; callers that may replace a
    /// pending request run this inside a transaction, because the withdrawal is saved first.
    /// </summary>
    public static async Task SyncApprovalAsync(SalesDbContext db, Quote quote, Guid? actorId, DateTimeOffset now, CancellationToken ct)
    {
        var withdrawn = await WithdrawPendingAsync(db, quote.Id, now, ct);
        if (quote.Status == QuoteStatus.PendingApproval)
        {
            if (withdrawn > 0)
            {
                // The withdrawal must reach the database before the new pending row, or the one-pending index would refuse it.
                await db.SaveChangesAsync(ct);
            }

            RequestApprovalIfNeeded(db, quote, actorId, now);
        }
    }

    /// <summary>A new revision whose discounts are over the threshold raises its approval request.</summary>
    public static void RequestApprovalIfNeeded(SalesDbContext db, Quote quote, Guid? actorId, DateTimeOffset now)
    {
        if (quote.Status == QuoteStatus.PendingApproval)
        {
            db.QuoteApprovals.Add(QuoteApproval.Request(quote, actorId, now));
        }
    }

    /// <summary>Withdraws the quote's pending approval request, if any (its figures are gone); returns how many.</summary>
    public static async Task<int> WithdrawPendingAsync(SalesDbContext db, Guid quoteId, DateTimeOffset now, CancellationToken ct)
    {
        var pending = await db.QuoteApprovals.Where(a => a.QuoteId == quoteId && a.Status == QuoteApprovalStatus.Pending).ToListAsync(ct);
        foreach (var approval in pending)
        {
            approval.Withdraw(now);
        }

        return pending.Count;
    }
}
