using Crm.Modules.Sales.Domain;

namespace Crm.UnitTests.Sales;

internal sealed class ExpenseReportRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly Guid Owner = Guid.CreateVersion7();
    private static readonly Guid Manager = Guid.CreateVersion7();

    private static ExpenseLine Line(decimal amount) => new(new DateOnly(2026, 11, 20), "travel", amount, null, null, null, []);

    [TestCase(ExpenseReportStatus.Draft, ExpenseDecisionAction.Submit, ExpenseReportStatus.Submitted)]
    [TestCase(ExpenseReportStatus.Submitted, ExpenseDecisionAction.Approve, ExpenseReportStatus.Approved)]
    [TestCase(ExpenseReportStatus.Submitted, ExpenseDecisionAction.Reject, ExpenseReportStatus.Rejected)]
    [TestCase(ExpenseReportStatus.Approved, ExpenseDecisionAction.Pay, ExpenseReportStatus.Paid)]
    [TestCase(ExpenseReportStatus.Draft, ExpenseDecisionAction.Approve, null)]
    [TestCase(ExpenseReportStatus.Submitted, ExpenseDecisionAction.Pay, null)]
    [TestCase(ExpenseReportStatus.Rejected, ExpenseDecisionAction.Submit, null)]
    [TestCase(ExpenseReportStatus.Approved, ExpenseDecisionAction.Reject, null)]
    [TestCase(ExpenseReportStatus.Paid, ExpenseDecisionAction.Pay, null)]
    public void Each_decision_is_allowed_from_one_status_only(ExpenseReportStatus from, ExpenseDecisionAction action, ExpenseReportStatus? expected) =>
        Assert.That(ExpenseReport.Next(from, action), Is.EqualTo(expected));

    [Test]
    public void The_total_is_the_sum_of_the_lines_and_follows_an_edit()
    {
        var report = ExpenseReport.Create(Owner, " 差旅 ", "CNY", [Line(120.50m), Line(79.50m)], Now);
        Assert.Multiple(() =>
        {
            Assert.That(report.Total, Is.EqualTo(200.00m));
            Assert.That(report.Title, Is.EqualTo("差旅"));
            Assert.That(report.Status, Is.EqualTo(ExpenseReportStatus.Draft));
        });

        report.Edit("差旅", "CNY", [Line(0.01m)], Now);
        Assert.That(report.Total, Is.EqualTo(0.01m));
    }

    [Test]
    public void A_decision_records_who_moved_the_report_from_where_to_where()
    {
        var report = ExpenseReport.Create(Owner, "差旅", "CNY", [Line(10m)], Now);
        var submit = report.Decide(ExpenseDecisionAction.Submit, Owner, null, Now.AddHours(1));
        var reject = report.Decide(ExpenseDecisionAction.Reject, Manager, "缺发票", Now.AddHours(2));
        Assert.Multiple(() =>
        {
            Assert.That(submit, Is.Not.Null);
            Assert.That(report.SubmittedAt, Is.EqualTo(Now.AddHours(1)));
            Assert.That((reject!.FromStatus, reject.ToStatus, reject.ActorId, reject.Comment), Is.EqualTo((ExpenseReportStatus.Submitted, ExpenseReportStatus.Rejected, (Guid?)Manager, "缺发票")));
            Assert.That(report.Decide(ExpenseDecisionAction.Approve, Manager, null, Now), Is.Null, "a rejected report is not approved");
            Assert.That(report.IsEditable, Is.True);
        });

        report.Edit("差旅", "CNY", [Line(10m), Line(5m)], Now.AddHours(3));
        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(ExpenseReportStatus.Draft), "editing a rejected report reopens it");
            Assert.That(report.Decide(ExpenseDecisionAction.Submit, Owner, null, Now.AddHours(4))?.ToStatus, Is.EqualTo(ExpenseReportStatus.Submitted));
            Assert.That(report.IsEditable, Is.False);
        });
    }
}
