using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Sales.Contracts;

/// <summary>
/// What every decision a manager takes on a rep's expense report (费用报告) carries: the report, its owner, its total and
/// the decision's author and comment. The Sales module fills these members for every event (one place, so they are not
/// marked required).
/// </summary>
public abstract record ExpenseReportDecided : IntegrationEvent
{
    protected ExpenseReportDecided(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The report.</summary>
    public Guid ReportId { get; init; }

    /// <summary>Its title.</summary>
    public string Title { get; init; } = string.Empty;

    /// <summary>The rep whose expenses it holds.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>The sum of its lines.</summary>
    public decimal Total { get; init; }

    /// <summary>ISO 4217 currency of the total.</summary>
    public string Currency { get; init; } = string.Empty;

    /// <summary>The manager who decided.</summary>
    public Guid? DecidedBy { get; init; }

    /// <summary>Their comment, if any.</summary>
    public string? Comment { get; init; }
}

/// <summary>A submitted expense report was approved: the total is owed to the rep (finance reimburses it).</summary>
public sealed record ExpenseReportApproved : ExpenseReportDecided
{
    public ExpenseReportApproved(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }
}

/// <summary>A submitted expense report was rejected with a comment: nothing is owed; the rep may edit and resubmit it.</summary>
public sealed record ExpenseReportRejected : ExpenseReportDecided
{
    public ExpenseReportRejected(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }
}

/// <summary>An approved expense report was marked paid: the rep was reimbursed the total.</summary>
public sealed record ExpenseReportPaid : ExpenseReportDecided
{
    public ExpenseReportPaid(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }
}
