using Crm.Modules.Sales.Domain;

namespace Crm.UnitTests.Sales;

internal sealed class QuoteMathTests
{
    [Test]
    public void Tax_on_a_midpoint_rounds_half_away_from_zero_not_to_even()
    {
        // 10.75 × 6% = 0.645: banker's rounding would give 0.64, invoices (四舍五入) 0.65.
        var line = QuoteMath.Line(1m, 10.75m, 0m, 6m);
        Assert.That((line.Gross, line.Tax, line.Total), Is.EqualTo((10.75m, 0.65m, 11.40m)));
    }

    [Test]
    public void Each_figure_is_rounded_on_the_line_before_the_next_is_computed()
    {
        // gross = round(0.5 × 0.25 = 0.125) = 0.13; discount = round(0.13 × 50%) = round(0.065) = 0.07; net 0.06; tax round(0.0078) = 0.01.
        var line = QuoteMath.Line(0.5m, 0.25m, 50m, 13m);
        Assert.That(line, Is.EqualTo(new LineAmounts(0.13m, 0.07m, 0.06m, 0.01m, 0.07m)));
    }

    [Test]
    public void Quote_totals_are_the_exact_sums_of_the_rounded_lines()
    {
        var lines = new[] { QuoteMath.Line(1m, 0.005m, 0m, 0m), QuoteMath.Line(1m, 0.005m, 0m, 0m), QuoteMath.Line(1m, 0.005m, 0m, 0m) };
        var totals = QuoteMath.Totals(lines);

        // Rounding the sum (0.015 → 0.02) would disagree with the printed lines (3 × 0.01).
        Assert.That((totals.Gross, totals.Total), Is.EqualTo((0.03m, 0.03m)));
    }

    [TestCase(100, 100, 0, 0, TestName = "No discount is 0%")]
    [TestCase(100, 85, 0, 15, TestName = "A lowered unit price counts as discount")]
    [TestCase(100, 95, 6, 10.7, TestName = "Price and line discount combine")]
    [TestCase(100, 120, 0, 0, TestName = "A price above the reference is no discount")]
    [TestCase(0, 10, 50, 0, TestName = "Nothing to discount from a free reference")]
    [TestCase(3, 1, 0, 66.67, TestName = "Rounded to 2 decimals")]
    public void Effective_discount_is_measured_against_the_reference_price(decimal reference, decimal unitPrice, decimal discount, decimal expected) =>
        Assert.That(QuoteMath.EffectiveDiscountPercent(reference, unitPrice, discount), Is.EqualTo(expected));
}

internal sealed class QuoteStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 23);

    private static QuoteLine Line(decimal discount, decimal unitPrice = 100m) =>
        QuoteLine.Create(Guid.NewGuid(), "SKU", "产品", "台", null, 1m, 100m, PriceSource.ListPrice, null, unitPrice, discount, 13m);

    private static Quote NewQuote(decimal discount, DateOnly? validUntil = null) =>
        Quote.Create("Q-2026-000001", Guid.NewGuid(), null, Guid.NewGuid(), "报价", "CNY", validUntil ?? Today.AddDays(30), null, Today, [Line(discount)], 10m, Now);

    [Test]
    public void A_discount_over_the_threshold_needs_approval_and_one_at_it_does_not()
    {
        Assert.Multiple(() =>
        {
            Assert.That(NewQuote(10m).Status, Is.EqualTo(QuoteStatus.Draft));
            Assert.That(NewQuote(10.01m).Status, Is.EqualTo(QuoteStatus.PendingApproval));
        });
    }

    [TestCase(QuoteStatus.Draft, QuoteAction.Send, QuoteStatus.Sent)]
    [TestCase(QuoteStatus.Approved, QuoteAction.Send, QuoteStatus.Sent)]
    [TestCase(QuoteStatus.PendingApproval, QuoteAction.Send, null)]
    [TestCase(QuoteStatus.PendingApproval, QuoteAction.ApproveDiscount, QuoteStatus.Approved)]
    [TestCase(QuoteStatus.PendingApproval, QuoteAction.RejectDiscount, QuoteStatus.Draft)]
    [TestCase(QuoteStatus.Draft, QuoteAction.Accept, null)]
    [TestCase(QuoteStatus.Sent, QuoteAction.Accept, QuoteStatus.Accepted)]
    [TestCase(QuoteStatus.Sent, QuoteAction.Reject, QuoteStatus.Rejected)]
    [TestCase(QuoteStatus.Accepted, QuoteAction.Reject, null)]
    [TestCase(QuoteStatus.Rejected, QuoteAction.Send, null)]
    [TestCase(QuoteStatus.Approved, QuoteAction.ApproveDiscount, null)]
    public void Transitions_follow_the_documented_flow(QuoteStatus from, QuoteAction action, QuoteStatus? to) =>
        Assert.That(Quote.Next(from, action), Is.EqualTo(to));

    [Test]
    public void An_open_quote_past_its_validity_reads_expired_but_an_answered_one_keeps_its_status()
    {
        var open = NewQuote(0m, Today);
        var answered = NewQuote(0m, Today);
        answered.Apply(QuoteAction.Send, null, Now);
        answered.Apply(QuoteAction.Accept, null, Now);

        Assert.Multiple(() =>
        {
            Assert.That(open.StatusOn(Today), Is.EqualTo(QuoteStatus.Draft), "the validity date itself still counts");
            Assert.That(open.StatusOn(Today.AddDays(1)), Is.EqualTo(QuoteStatus.Expired));
            Assert.That(answered.StatusOn(Today.AddDays(1)), Is.EqualTo(QuoteStatus.Accepted));
        });
    }

    [Test]
    public void Revising_copies_the_lines_under_the_same_number_and_freezes_the_previous_revision()
    {
        var v1 = NewQuote(5m);
        v1.Apply(QuoteAction.Send, null, Now);

        var v2 = v1.Revise(Today.AddDays(10), 3m, Now);

        Assert.Multiple(() =>
        {
            Assert.That((v2.Number, v2.Revision, v2.DisplayNumber, v2.RevisionOfId), Is.EqualTo((v1.Number, 2, "Q-2026-000001 v2", (Guid?)v1.Id)));
            Assert.That(v2.Lines.Select(l => (l.Position, l.DiscountPercent, l.LineTotal, l.QuoteId)), Is.EqualTo(v1.Lines.Select(l => (l.Position, l.DiscountPercent, l.LineTotal, v2.Id))));
            Assert.That(v2.Lines[0].Id, Is.Not.EqualTo(v1.Lines[0].Id));
            Assert.That(v2.Status, Is.EqualTo(QuoteStatus.PendingApproval), "5% is over the threshold of 3% in force now");
            Assert.That((v1.SupersededById, v1.IsEditable, v1.CanBeRevised), Is.EqualTo(((Guid?)v2.Id, false, false)));
            Assert.That(v1.Apply(QuoteAction.Accept, null, Now), Is.False, "a superseded revision takes no answer");
        });
    }
}
