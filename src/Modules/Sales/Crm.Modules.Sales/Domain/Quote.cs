using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>
/// Where a quote (报价) is. <see cref="Expired"/> is never stored: a draft, pending, approved or sent quote whose validity
/// date has passed reads as expired (see <see cref="Quote.StatusOn"/>), so no job has to run at midnight.
/// </summary>
internal enum QuoteStatus
{
    /// <summary>Being written; discounts within the threshold.</summary>
    Draft,

    /// <summary>A discount is over the approval threshold: waiting for a manager.</summary>
    PendingApproval,

    /// <summary>A manager approved the discounts; it may be sent.</summary>
    Approved,

    /// <summary>Sent to the customer; waiting for their answer.</summary>
    Sent,

    /// <summary>The customer accepted it.</summary>
    Accepted,

    /// <summary>The customer rejected it.</summary>
    Rejected,

    /// <summary>Its validity date passed before the customer accepted it (derived, never stored).</summary>
    Expired,
}

/// <summary>
/// A quote (报价) to a customer: priced lines with server-computed totals (<see cref="QuoteMath"/>), a validity date, and
/// revisions: revising creates the next version under the same number and leaves the previous one read-only.
/// </summary>
[AuditEntityType("quote")]
internal sealed class Quote : IAuditable, IOwnedRecord
{
    public const string DefaultCurrency = "CNY";
    public const int MaxTitleLength = 200;
    public const int MaxNotesLength = 4000;
    public const int MaxReasonLength = 500;
    public const int MaxLines = 200;

    /// <summary>How long a quote is valid when no validity date is given.</summary>
    public const int DefaultValidityDays = 30;

    private Quote()
    {
    }

    public Guid Id { get; private set; }

    /// <summary>The quote number shared by all its revisions (<c>Q-2026-000123</c>).</summary>
    public string Number { get; private set; } = string.Empty;

    /// <summary>The revision, 1 for the first version.</summary>
    public int Revision { get; private set; }

    public Guid CustomerId { get; private set; }

    public Guid? OpportunityId { get; private set; }

    public Guid? OwnerId { get; private set; }

    public string Title { get; private set; } = string.Empty;

    public string Currency { get; private set; } = DefaultCurrency;

    /// <summary>Last day the offer holds (inclusive).</summary>
    public DateOnly ValidUntil { get; private set; }

    /// <summary>The day the lines were priced on (price books are resolved for that day).</summary>
    public DateOnly PricedOn { get; private set; }

    /// <summary>The stored status; never <see cref="QuoteStatus.Expired"/>.</summary>
    public QuoteStatus Status { get; private set; }

    public string? Notes { get; private set; }

    /// <summary>Sum of the lines' gross amounts (quantity × unit price).</summary>
    public decimal Subtotal { get; private set; }

    public decimal DiscountTotal { get; private set; }

    public decimal TaxTotal { get; private set; }

    /// <summary>Subtotal − discount + tax.</summary>
    public decimal Total { get; private set; }

    /// <summary>The largest effective discount of a line, in percent of its reference price.</summary>
    public decimal MaxDiscountPercent { get; private set; }

    /// <summary>The approval threshold in force when the lines were last saved.</summary>
    public decimal ApprovalThresholdPercent { get; private set; }

    public List<QuoteLine> Lines { get; private set; } = [];

    /// <summary>The revision this one replaced.</summary>
    public Guid? RevisionOfId { get; private set; }

    /// <summary>The revision that replaced this one; a superseded quote is read-only.</summary>
    public Guid? SupersededById { get; private set; }

    public DateTimeOffset? SentAt { get; private set; }

    /// <summary>When the customer's answer (accepted or rejected) was recorded.</summary>
    public DateTimeOffset? AnsweredAt { get; private set; }

    /// <summary>Why the customer rejected it.</summary>
    public string? RejectionReason { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    /// <summary>Lines and terms change only before the customer has seen the quote; afterwards a revision is needed.</summary>
    public bool IsEditable => SupersededById is null && Status is QuoteStatus.Draft or QuoteStatus.PendingApproval or QuoteStatus.Approved;

    /// <summary>Every revision may be replaced by a next one, except an accepted one (an order follows it) and one already replaced.</summary>
    public bool CanBeRevised => SupersededById is null && Status != QuoteStatus.Accepted;

    public string DisplayNumber => $"{Number} v{Revision}";

    public static Quote Create(
        string number,
        Guid customerId,
        Guid? opportunityId,
        Guid? ownerId,
        string title,
        string currency,
        DateOnly validUntil,
        string? notes,
        DateOnly pricedOn,
        IReadOnlyList<QuoteLine> lines,
        decimal thresholdPercent,
        DateTimeOffset now)
    {
        var quote = new Quote
        {
            Id = Guid.CreateVersion7(now),
            Number = number,
            Revision = 1,
            CustomerId = customerId,
            OpportunityId = opportunityId,
            OwnerId = ownerId,
            Currency = currency,
            CreatedAt = now,
        };
        quote.Edit(title, validUntil, notes, now);
        quote.ReplaceLines(lines, pricedOn, thresholdPercent, now);
        return quote;
    }

    /// <summary>Title, validity and notes: no effect on the figures, so an approval stands.</summary>
    public void Edit(string title, DateOnly validUntil, string? notes, DateTimeOffset now)
    {
        Title = title.Trim();
        ValidUntil = validUntil;
        Notes = string.IsNullOrWhiteSpace(notes) ? null : notes.Trim();
        UpdatedAt = now;
    }

    /// <summary>
    /// New lines mean new figures: the totals are recomputed and an earlier approval no longer covers them, so the quote
    /// becomes pending approval when a line's effective discount is over the threshold, otherwise a draft.
    /// </summary>
    public void ReplaceLines(IReadOnlyList<QuoteLine> lines, DateOnly pricedOn, decimal thresholdPercent, DateTimeOffset now)
    {
        Lines = lines.ToList();
        for (var i = 0; i < Lines.Count; i++)
        {
            Lines[i].AttachTo(Id, i + 1);
        }

        var totals = QuoteMath.Totals(Lines.Select(l => l.Amounts));
        Subtotal = totals.Gross;
        DiscountTotal = totals.Discount;
        TaxTotal = totals.Tax;
        Total = totals.Total;
        MaxDiscountPercent = Lines.Count == 0 ? 0m : Lines.Max(l => l.EffectiveDiscountPercent);
        ApprovalThresholdPercent = thresholdPercent;
        PricedOn = pricedOn;
        Status = RequiresApproval ? QuoteStatus.PendingApproval : QuoteStatus.Draft;
        UpdatedAt = now;
    }

    public bool RequiresApproval => MaxDiscountPercent > ApprovalThresholdPercent;

    /// <summary>The status as the API shows it on <paramref name="today"/>: an open quote past its validity date is expired.</summary>
    public QuoteStatus StatusOn(DateOnly today) => IsOpen(Status) && ValidUntil < today ? QuoteStatus.Expired : Status;

    /// <summary>Statuses that expire when the validity date passes.</summary>
    public static bool IsOpen(QuoteStatus status) => status is QuoteStatus.Draft or QuoteStatus.PendingApproval or QuoteStatus.Approved or QuoteStatus.Sent;

    /// <summary>The stored status a customer-facing action leads to, or null when the current status does not allow it.</summary>
    public static QuoteStatus? Next(QuoteStatus status, QuoteAction action) => (status, action) switch
    {
        (QuoteStatus.Draft, QuoteAction.Send) => QuoteStatus.Sent,
        (QuoteStatus.Approved, QuoteAction.Send) => QuoteStatus.Sent,
        (QuoteStatus.Sent, QuoteAction.Accept) => QuoteStatus.Accepted,
        (QuoteStatus.Sent, QuoteAction.Reject) => QuoteStatus.Rejected,
        (QuoteStatus.PendingApproval, QuoteAction.ApproveDiscount) => QuoteStatus.Approved,
        (QuoteStatus.PendingApproval, QuoteAction.RejectDiscount) => QuoteStatus.Draft,
        _ => null,
    };

    /// <summary>Applies <paramref name="action"/> when the status allows it; false otherwise (nothing changes).</summary>
    public bool Apply(QuoteAction action, string? reason, DateTimeOffset now)
    {
        if (SupersededById is not null || Next(Status, action) is not { } next)
        {
            return false;
        }

        Status = next;
        SentAt = action == QuoteAction.Send ? now : SentAt;
        if (action is QuoteAction.Accept or QuoteAction.Reject)
        {
            AnsweredAt = now;
            RejectionReason = action == QuoteAction.Reject ? reason?.Trim() : null;
        }

        UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// The next revision: same number, customer, opportunity, owner, currency and lines (as negotiated, not re-priced),
    /// status from its discounts against today's threshold. This one becomes read-only.
    /// </summary>
    public Quote Revise(DateOnly validUntil, decimal thresholdPercent, DateTimeOffset now)
    {
        var next = new Quote
        {
            Id = Guid.CreateVersion7(now),
            Number = Number,
            Revision = Revision + 1,
            CustomerId = CustomerId,
            OpportunityId = OpportunityId,
            OwnerId = OwnerId,
            Currency = Currency,
            RevisionOfId = Id,
            CreatedAt = now,
        };
        next.Edit(Title, validUntil, Notes, now);
        next.ReplaceLines(Lines.OrderBy(l => l.Position).Select(l => l.Copy()).ToList(), PricedOn, thresholdPercent, now);
        SupersededById = next.Id;
        UpdatedAt = now;
        return next;
    }
}

/// <summary>What can happen to a quote after it is written.</summary>
internal enum QuoteAction
{
    Send,
    Accept,
    Reject,
    ApproveDiscount,
    RejectDiscount,
}

/// <summary>
/// A line of a quote. Product SKU, name and unit are copied so the quote reads as it was sent even when the catalogue
/// changes later; the reference price (what price resolution gave) is kept to measure the effective discount.
/// </summary>
internal sealed class QuoteLine : PricedLine
{
    private QuoteLine()
    {
    }

    public Guid QuoteId { get; private set; }

    /// <summary>How far the net unit price is below the reference price, in percent: a lowered unit price counts like a discount.</summary>
    public decimal EffectiveDiscountPercent { get; private set; }

    public static QuoteLine Create(
        Guid productId,
        string sku,
        string productName,
        string unit,
        string? description,
        decimal quantity,
        decimal referenceUnitPrice,
        PriceSource priceSource,
        Guid? priceBookId,
        decimal unitPrice,
        decimal discountPercent,
        decimal taxRatePercent)
    {
        var line = new QuoteLine { EffectiveDiscountPercent = QuoteMath.EffectiveDiscountPercent(referenceUnitPrice, unitPrice, discountPercent) };
        line.Price(productId, sku, productName, unit, description, quantity, referenceUnitPrice, priceSource, priceBookId, unitPrice, discountPercent, taxRatePercent);
        return line;
    }

    public QuoteLine Copy()
    {
        var line = new QuoteLine { EffectiveDiscountPercent = EffectiveDiscountPercent };
        line.CopyFrom(this);
        return line;
    }

    internal void AttachTo(Guid quoteId, int position)
    {
        QuoteId = quoteId;
        PlaceAt(position);
    }
}

/// <summary>
/// Quote arithmetic, in <see cref="decimal"/> throughout. Rounding happens per line, to 2 decimals, half away from zero
/// (四舍五入, as invoices do): gross = round(quantity × unit price); discount = round(gross × discount% / 100);
/// net = gross − discount; tax = round(net × tax rate% / 100); line total = net + tax. The quote's figures are the exact
/// sums of the rounded line figures, so a printed quote always adds up.
/// </summary>
internal static class QuoteMath
{
    /// <summary>The largest amount a numeric(18,2) column holds.</summary>
    public const decimal MaxAmount = 9_999_999_999_999_999.99m;

    public static decimal Round(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    public static LineAmounts Line(decimal quantity, decimal unitPrice, decimal discountPercent, decimal taxRatePercent)
    {
        var gross = Round(quantity * unitPrice);
        var discount = Round(gross * discountPercent / 100m);
        var net = gross - discount;
        var tax = Round(net * taxRatePercent / 100m);
        return new LineAmounts(gross, discount, net, tax, net + tax);
    }

    public static LineAmounts Totals(IEnumerable<LineAmounts> lines) =>
        lines.Aggregate(default(LineAmounts), (sum, l) => new LineAmounts(sum.Gross + l.Gross, sum.Discount + l.Discount, sum.Net + l.Net, sum.Tax + l.Tax, sum.Total + l.Total));

    /// <summary>
    /// 1 − net unit price / reference price, in percent rounded to 2 decimals; 0 when the line is priced at or above the
    /// reference, or the reference price is 0 (nothing to discount from).
    /// </summary>
    public static decimal EffectiveDiscountPercent(decimal referenceUnitPrice, decimal unitPrice, decimal discountPercent) =>
        referenceUnitPrice <= 0m ? 0m : Math.Max(0m, Round((1m - (unitPrice * (100m - discountPercent) / 100m / referenceUnitPrice)) * 100m));
}
