using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>pending, approved, rejected, or withdrawn (the quote's lines changed before anyone decided).</summary>
internal enum QuoteApprovalStatus
{
    Pending,
    Approved,
    Rejected,
    Withdrawn,
}

/// <summary>
/// A request to approve the discounts of one quote revision (折扣审批), raised when its lines are saved with an effective
/// discount over the threshold. It keeps the figures the manager decided on; the decision and its comment are history.
/// </summary>
[AuditEntityType("quoteApproval")]
internal sealed class QuoteApproval : IAuditable, IOwnedRecord
{
    public const int MaxCommentLength = 1000;

    private QuoteApproval()
    {
    }

    public Guid Id { get; private set; }

    public Guid QuoteId { get; private set; }

    public string QuoteNumber { get; private set; } = string.Empty;

    public int QuoteRevision { get; private set; }

    public Guid CustomerId { get; private set; }

    /// <summary>The quote's owner: managers over them see and decide the request.</summary>
    public Guid? OwnerId { get; private set; }

    public decimal MaxDiscountPercent { get; private set; }

    public decimal ThresholdPercent { get; private set; }

    public decimal QuoteTotal { get; private set; }

    public string Currency { get; private set; } = Quote.DefaultCurrency;

    public QuoteApprovalStatus Status { get; private set; }

    public Guid? RequestedById { get; private set; }

    public DateTimeOffset RequestedAt { get; private set; }

    public Guid? DecidedById { get; private set; }

    public DateTimeOffset? DecidedAt { get; private set; }

    public string? Comment { get; private set; }

    public uint Version { get; private set; }

    public static QuoteApproval Request(Quote quote, Guid? requestedById, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            QuoteId = quote.Id,
            QuoteNumber = quote.Number,
            QuoteRevision = quote.Revision,
            CustomerId = quote.CustomerId,
            OwnerId = quote.OwnerId,
            MaxDiscountPercent = quote.MaxDiscountPercent,
            ThresholdPercent = quote.ApprovalThresholdPercent,
            QuoteTotal = quote.Total,
            Currency = quote.Currency,
            Status = QuoteApprovalStatus.Pending,
            RequestedById = requestedById,
            RequestedAt = now,
        };

    /// <summary>Approves or rejects a pending request; false when it was already decided or withdrawn.</summary>
    public bool Decide(bool approve, Guid? deciderId, string? comment, DateTimeOffset now)
    {
        if (Status != QuoteApprovalStatus.Pending)
        {
            return false;
        }

        Status = approve ? QuoteApprovalStatus.Approved : QuoteApprovalStatus.Rejected;
        DecidedById = deciderId;
        DecidedAt = now;
        Comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        return true;
    }

    /// <summary>The figures it was raised for are gone (lines replaced or quote revised): nobody can decide it any more.</summary>
    public void Withdraw(DateTimeOffset now)
    {
        if (Status == QuoteApprovalStatus.Pending)
        {
            Status = QuoteApprovalStatus.Withdrawn;
            DecidedAt = now;
        }
    }
}

/// <summary>The quote settings, one row: the discount over which a quote needs a manager's approval.</summary>
[AuditEntityType("quoteSettings")]
internal sealed class QuoteSettings : IAuditable
{
    /// <summary>The one row's fixed id.</summary>
    public static readonly Guid SingletonId = new("0193a000-0000-7000-8000-000000000001");

    /// <summary>Used until a manager sets one.</summary>
    public const decimal DefaultDiscountApprovalThresholdPercent = 10m;

    private QuoteSettings()
    {
    }

    public Guid Id { get; private set; }

    public decimal DiscountApprovalThresholdPercent { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static QuoteSettings Create(decimal thresholdPercent, DateTimeOffset now) =>
        new() { Id = SingletonId, DiscountApprovalThresholdPercent = thresholdPercent, UpdatedAt = now };

    public void Update(decimal thresholdPercent, DateTimeOffset now)
    {
        DiscountApprovalThresholdPercent = thresholdPercent;
        UpdatedAt = now;
    }
}
