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
