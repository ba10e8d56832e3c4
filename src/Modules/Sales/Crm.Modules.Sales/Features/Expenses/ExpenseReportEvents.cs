using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Domain;

namespace Crm.Modules.Sales.Features.Expenses;

/// <summary>
/// The integration event of a manager's decision on an expense report: ExpenseReportApproved, ExpenseReportRejected or
/// ExpenseReportPaid. Submitting raises none: it is the rep's step inside the workflow, which the managers' list shows.
/// </summary>
internal static class ExpenseReportEvents
{
    public static ExpenseReportDecided? For(ExpenseReport report, ExpenseDecision decision)
    {
        ExpenseReportDecided? raised = decision.Action switch
        {
            ExpenseDecisionAction.Approve => new ExpenseReportApproved(decision.DecidedAt),
            ExpenseDecisionAction.Reject => new ExpenseReportRejected(decision.DecidedAt),
            ExpenseDecisionAction.Pay => new ExpenseReportPaid(decision.DecidedAt),
            _ => null,
        };
        return raised is null
            ? null
            : raised with
            {
                ReportId = report.Id,
                Title = report.Title,
                OwnerId = report.OwnerId,
                Total = report.Total,
                Currency = report.Currency,
                DecidedBy = decision.ActorId,
                Comment = decision.Comment,
            };
    }
}
