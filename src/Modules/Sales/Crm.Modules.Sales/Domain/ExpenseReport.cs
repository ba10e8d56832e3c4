using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>draft, submitted, approved, rejected or paid.</summary>
internal enum ExpenseReportStatus
{
    Draft,
    Submitted,
    Approved,
    Rejected,
    Paid,
}

/// <summary>submit, approve, reject or pay: the decisions kept in a report's history.</summary>
internal enum ExpenseDecisionAction
{
    Submit,
    Approve,
    Reject,
    Pay,
}

/// <summary>
/// An expense report (费用报告) of a sales rep: lines in one currency, edited while draft, submitted by the owner,
/// approved or rejected by a manager over the owner, then paid. A rejected report goes back to being editable.
/// </summary>
[AuditEntityType("expenseReport")]
internal sealed class ExpenseReport : IAuditable, IOwnedRecord
{
    public const string DefaultCurrency = "CNY";

    private ExpenseReport()
    {
    }

    public Guid Id { get; private set; }

    public string Title { get; private set; } = string.Empty;

    public Guid? OwnerId { get; private set; }

    public ExpenseReportStatus Status { get; private set; }

    public string Currency { get; private set; } = DefaultCurrency;

    /// <summary>Sum of the lines, kept on the row so lists show and sort by it without reading lines.</summary>
    public decimal Total { get; private set; }

    public List<ExpenseLine> Lines { get; private set; } = [];

    public DateTimeOffset? SubmittedAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    /// <summary>Draft and rejected reports are the owner's to edit; the others are with approvers or paid.</summary>
    public bool IsEditable => Status is ExpenseReportStatus.Draft or ExpenseReportStatus.Rejected;

    public static ExpenseReport Create(Guid ownerId, string title, string currency, IEnumerable<ExpenseLine> lines, DateTimeOffset now)
    {
        var report = new ExpenseReport { Id = Guid.CreateVersion7(), OwnerId = ownerId, Status = ExpenseReportStatus.Draft, CreatedAt = now };
        report.Edit(title, currency, lines, now);
        return report;
    }

    public void Edit(string title, string currency, IEnumerable<ExpenseLine> lines, DateTimeOffset now)
    {
        Title = title.Trim();
        Currency = currency;
        Lines = lines.ToList();
        Total = Lines.Sum(l => l.Amount);
        Status = ExpenseReportStatus.Draft;
        UpdatedAt = now;
    }

    /// <summary>The status a decision moves the report to, or null when the report's status does not allow it.</summary>
    public static ExpenseReportStatus? Next(ExpenseReportStatus status, ExpenseDecisionAction action) => (status, action) switch
    {
        (ExpenseReportStatus.Draft, ExpenseDecisionAction.Submit) => ExpenseReportStatus.Submitted,
        (ExpenseReportStatus.Submitted, ExpenseDecisionAction.Approve) => ExpenseReportStatus.Approved,
        (ExpenseReportStatus.Submitted, ExpenseDecisionAction.Reject) => ExpenseReportStatus.Rejected,
        (ExpenseReportStatus.Approved, ExpenseDecisionAction.Pay) => ExpenseReportStatus.Paid,
        _ => null,
    };

    public ExpenseDecision? Decide(ExpenseDecisionAction action, Guid? actorId, string? comment, DateTimeOffset now)
    {
        if (Next(Status, action) is not { } next)
        {
            return null;
        }

        var decision = new ExpenseDecision(Guid.CreateVersion7(), Id, action, Status, next, actorId, comment, now);
        Status = next;
        SubmittedAt = action == ExpenseDecisionAction.Submit ? now : SubmittedAt;
        UpdatedAt = now;
        return decision;
    }
}

/// <summary>One expense: what, when, how much, and what it was for.</summary>
internal sealed class ExpenseLine
{
    private ExpenseLine()
    {
    }

    public ExpenseLine(DateOnly date, string category, decimal amount, string? description, Guid? activityId, Guid? opportunityId, IEnumerable<string> receipts)
    {
        Id = Guid.CreateVersion7();
        Date = date;
        Category = category.Trim();
        Amount = amount;
        Description = description;
        ActivityId = activityId;
        OpportunityId = opportunityId;
        Receipts = receipts.ToList();
    }

    public Guid Id { get; private set; }

    public Guid ReportId { get; private set; }

    public DateOnly Date { get; private set; }

    public string Category { get; private set; } = string.Empty;

    public decimal Amount { get; private set; }

    public string? Description { get; private set; }

    public Guid? ActivityId { get; private set; }

    public Guid? OpportunityId { get; private set; }

    /// <summary>Receipt references: file ids or URLs.</summary>
    public List<string> Receipts { get; private set; } = [];
}

/// <summary>A row of a report's decision history.</summary>
internal sealed record ExpenseDecision(
    Guid Id,
    Guid ReportId,
    ExpenseDecisionAction Action,
    ExpenseReportStatus FromStatus,
    ExpenseReportStatus ToStatus,
    Guid? ActorId,
    string? Comment,
    DateTimeOffset DecidedAt);
