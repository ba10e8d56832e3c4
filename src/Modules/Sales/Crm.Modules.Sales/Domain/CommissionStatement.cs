using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>Where a rep's commission statement of a month stands.</summary>
public enum CommissionStatementStatus
{
    /// <summary>Not frozen: computed from the receipts and the current rules whenever it is read.</summary>
    Computed = 0,

    /// <summary>Frozen: its lines and totals are stored and no longer follow rule changes.</summary>
    Frozen = 1,

    /// <summary>Frozen and approved by a second person (an administrator or another manager).</summary>
    Approved = 2,
}

/// <summary>
/// A frozen commission statement (佣金结算单) of one rep for one month: the totals of the lines stored with it in
/// <c>sales.commission_statement_lines</c>, computed once when it was frozen. Rule edits never change it; an
/// administrator reopens it by deleting it, after which the month is computed again.
/// </summary>
[AuditEntityType("commissionStatement")]
internal sealed class CommissionStatement : IAuditable, IOwnedRecord
{
    public const int MaxReasonLength = 500;

    private CommissionStatement()
    {
    }

    public Guid Id { get; private set; }

    /// <summary>The rep.</summary>
    public Guid UserId { get; private set; }

    /// <summary>First day of the month.</summary>
    public DateOnly PeriodStart { get; private set; }

    /// <summary>Frozen or approved (a computed statement has no row).</summary>
    public CommissionStatementStatus Status { get; private set; }

    public decimal ReceivedAmount { get; private set; }

    public decimal ReversedAmount { get; private set; }

    public decimal NetAmount { get; private set; }

    public decimal CommissionTotal { get; private set; }

    public int LineCount { get; private set; }

    public DateTimeOffset FrozenAt { get; private set; }

    public Guid FrozenBy { get; private set; }

    public DateTimeOffset? ApprovedAt { get; private set; }

    public Guid? ApprovedBy { get; private set; }

    public uint Version { get; private set; }

    Guid? IOwnedRecord.OwnerId => UserId;

    public static CommissionStatement Freeze(Guid userId, DateOnly periodStart, CommissionStatementTotals totals, Guid frozenBy, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            PeriodStart = periodStart,
            Status = CommissionStatementStatus.Frozen,
            ReceivedAmount = totals.ReceivedAmount,
            ReversedAmount = totals.ReversedAmount,
            NetAmount = totals.ReceivedAmount - totals.ReversedAmount,
            CommissionTotal = totals.CommissionTotal,
            LineCount = totals.LineCount,
            FrozenAt = now,
            FrozenBy = frozenBy,
        };

    /// <summary>Approves a frozen statement; false when it was approved already.</summary>
    public bool Approve(Guid approvedBy, DateTimeOffset now)
    {
        if (Status == CommissionStatementStatus.Approved)
        {
            return false;
        }

        Status = CommissionStatementStatus.Approved;
        ApprovedAt = now;
        ApprovedBy = approvedBy;
        return true;
    }
}

/// <summary>One stored line of a frozen statement: the computed line as it was when the statement was frozen.</summary>
internal sealed class CommissionStatementLine
{
    private CommissionStatementLine()
    {
    }

    public Guid StatementId { get; private set; }

    public Guid ReceiptId { get; private set; }

    /// <summary>receipt or reversal.</summary>
    public string Kind { get; private set; } = string.Empty;

    public DateOnly BookedDate { get; private set; }

    public DateOnly ReceivedDate { get; private set; }

    public Guid ContractId { get; private set; }

    public string ContractNumber { get; private set; } = string.Empty;

    public Guid CustomerId { get; private set; }

    public string? ProductCategory { get; private set; }

    public decimal Amount { get; private set; }

    public string Currency { get; private set; } = string.Empty;

    /// <summary>CNY per 1 unit of <see cref="Currency"/>, as fixed on the receipt when it was recorded (ADR 0032).</summary>
    public decimal CnyRate { get; private set; }

    /// <summary>The amount in CNY (rounded to the fen); the commission is computed on it.</summary>
    public decimal CnyAmount { get; private set; }

    public Guid? RuleId { get; private set; }

    public decimal? RatePercent { get; private set; }

    public decimal Commission { get; private set; }
}

/// <summary>The totals of a rep's statement lines, summed by the database from the lines being frozen.</summary>
internal sealed record CommissionStatementTotals(Guid? OwnerId, decimal ReceivedAmount, decimal ReversedAmount, decimal CommissionTotal, int LineCount)
{
    /// <summary>The totals of a rep without lines in the month: an empty statement.</summary>
    public static CommissionStatementTotals None(Guid ownerId) => new(ownerId, 0m, 0m, 0m, 0);
}
