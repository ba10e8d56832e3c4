using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Sales.Contracts;

/// <summary>
/// A rep's frozen commission statement (佣金结算单) of a month was approved: its commission is final and may be paid
/// out (payroll picks it up from here).
/// </summary>
public sealed record CommissionStatementApproved : IntegrationEvent
{
    public CommissionStatementApproved(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The frozen statement.</summary>
    public required Guid StatementId { get; init; }

    /// <summary>The rep it pays.</summary>
    public required Guid UserId { get; init; }

    /// <summary>The month, yyyy-MM.</summary>
    public required string Period { get; init; }

    /// <summary>Received less reversed in the month.</summary>
    public required decimal NetAmount { get; init; }

    /// <summary>The commission of the month (negative when reversals outweigh receipts).</summary>
    public required decimal CommissionTotal { get; init; }

    /// <summary>Who froze it.</summary>
    public required Guid FrozenBy { get; init; }

    /// <summary>Who approved it (an administrator or a manager other than the one who froze it).</summary>
    public required Guid ApprovedBy { get; init; }
}

/// <summary>
/// A rep's commission statement (佣金结算单) of an ended month was frozen, by itself or by a team freeze: its lines and
/// totals are stored and no longer follow rule changes. It awaits approval (<see cref="CommissionStatementApproved"/>).
/// Amounts are in CNY.
/// </summary>
public sealed record CommissionStatementFrozen : IntegrationEvent
{
    public CommissionStatementFrozen(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The frozen statement.</summary>
    public required Guid StatementId { get; init; }

    /// <summary>The rep it pays.</summary>
    public required Guid UserId { get; init; }

    /// <summary>The month, yyyy-MM.</summary>
    public required string Period { get; init; }

    /// <summary>Received in the month.</summary>
    public required decimal ReceivedAmount { get; init; }

    /// <summary>Reversed in the month (positive).</summary>
    public required decimal ReversedAmount { get; init; }

    /// <summary>Received less reversed in the month.</summary>
    public required decimal NetAmount { get; init; }

    /// <summary>The commission of the month (negative when reversals outweigh receipts).</summary>
    public required decimal CommissionTotal { get; init; }

    /// <summary>How many lines were frozen.</summary>
    public required int LineCount { get; init; }

    /// <summary>Who froze it.</summary>
    public required Guid FrozenBy { get; init; }
}

/// <summary>
/// An administrator reopened a frozen or approved commission statement: the stored copy is gone and the month is computed
/// from the current rules again until it is frozen anew. An approved one that payroll picked up is no longer final.
/// </summary>
public sealed record CommissionStatementReopened : IntegrationEvent
{
    public CommissionStatementReopened(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The statement that was deleted.</summary>
    public required Guid StatementId { get; init; }

    /// <summary>The rep.</summary>
    public required Guid UserId { get; init; }

    /// <summary>The month, yyyy-MM.</summary>
    public required string Period { get; init; }

    /// <summary>frozen or approved: what it was when it was reopened.</summary>
    public required string Status { get; init; }

    /// <summary>The commission it had frozen, in CNY.</summary>
    public required decimal CommissionTotal { get; init; }

    /// <summary>Who had frozen it.</summary>
    public required Guid FrozenBy { get; init; }

    /// <summary>Who had approved it, if anyone.</summary>
    public Guid? ApprovedBy { get; init; }

    /// <summary>The administrator who reopened it.</summary>
    public required Guid ReopenedBy { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }
}
