using Crm.Modules.Sales.Domain;

namespace Crm.UnitTests.Sales;

internal sealed class OpportunityDomainTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid PipelineId = Guid.CreateVersion7();
    private static readonly Guid Rep = Guid.CreateVersion7();

    private static readonly PipelineStage First = PipelineStage.Create(PipelineId, "initialContact", "Initial contact", 1, 10, StageKind.Open, Start);
    private static readonly PipelineStage Negotiation = PipelineStage.Create(PipelineId, "businessNegotiation", "Negotiation", 2, 60, StageKind.Open, Start);
    private static readonly PipelineStage Won = PipelineStage.Create(PipelineId, "closedWon", "Won", 3, 100, StageKind.Won, Start);
    private static readonly PipelineStage Lost = PipelineStage.Create(PipelineId, "closedLost", "Lost", 4, 0, StageKind.Lost, Start);

    private static Opportunity NewOpportunity() =>
        Opportunity.Create("ERP 项目", Guid.CreateVersion7(), null, null, First, 1000m, "CNY", null, Rep, null, Start);

    [Test]
    public void A_new_opportunity_is_open_in_its_starting_stage_with_the_stage_probability()
    {
        var opportunity = NewOpportunity();
        Assert.Multiple(() =>
        {
            Assert.That(opportunity.Status, Is.EqualTo(OpportunityStatus.Open));
            Assert.That(opportunity.StageId, Is.EqualTo(First.Id));
            Assert.That(opportunity.PipelineId, Is.EqualTo(PipelineId));
            Assert.That(opportunity.Probability, Is.EqualTo(10));
            Assert.That(opportunity.StageEnteredAt, Is.EqualTo(Start));
        });
    }

    [Test]
    public void Moving_returns_a_history_row_that_remembers_when_the_left_stage_was_entered()
    {
        var opportunity = NewOpportunity();
        var at = Start.AddDays(4);

        var change = opportunity.MoveTo(Negotiation, Rep, at);

        Assert.That(change, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(change!.OpportunityId, Is.EqualTo(opportunity.Id));
            Assert.That(change.FromStageId, Is.EqualTo(First.Id));
            Assert.That(change.ToStageId, Is.EqualTo(Negotiation.Id));
            Assert.That(change.FromStageEnteredAt, Is.EqualTo(Start));
            Assert.That(change.ChangedAt, Is.EqualTo(at));
            Assert.That(change.ChangedBy, Is.EqualTo(Rep));
            Assert.That(opportunity.StageId, Is.EqualTo(Negotiation.Id));
            Assert.That(opportunity.StageEnteredAt, Is.EqualTo(at));
            Assert.That(opportunity.Probability, Is.EqualTo(60));
            Assert.That(opportunity.UpdatedAt, Is.EqualTo(at));
        });
    }

    [Test]
    public void Moving_to_the_current_stage_changes_nothing_and_writes_no_history()
    {
        var opportunity = NewOpportunity();
        Assert.That(opportunity.MoveTo(First, Rep, Start.AddDays(1)), Is.Null);
        Assert.That(opportunity.StageEnteredAt, Is.EqualTo(Start));
    }

    [Test]
    public void The_won_stage_closes_the_opportunity_as_won()
    {
        var opportunity = NewOpportunity();
        var at = Start.AddDays(10);
        opportunity.MoveTo(Won, Rep, at);
        Assert.Multiple(() =>
        {
            Assert.That(opportunity.Status, Is.EqualTo(OpportunityStatus.Won));
            Assert.That(opportunity.ClosedAt, Is.EqualTo(at));
            Assert.That(opportunity.Probability, Is.EqualTo(100));
        });
    }

    [Test]
    public void Reopening_a_lost_opportunity_clears_the_close_and_takes_the_open_stage_probability()
    {
        var opportunity = NewOpportunity();
        opportunity.MoveTo(Lost, Rep, Start.AddDays(2));
        Assert.That(opportunity.Status, Is.EqualTo(OpportunityStatus.Lost));

        opportunity.MoveTo(Negotiation, Rep, Start.AddDays(3));
        Assert.Multiple(() =>
        {
            Assert.That(opportunity.Status, Is.EqualTo(OpportunityStatus.Open));
            Assert.That(opportunity.ClosedAt, Is.Null);
            Assert.That(opportunity.Probability, Is.EqualTo(60));
        });
    }

    [Test]
    public void A_stage_of_another_pipeline_is_refused()
    {
        var opportunity = NewOpportunity();
        var foreign = PipelineStage.Create(Guid.CreateVersion7(), "other", "Other", 1, 50, StageKind.Open, Start);
        Assert.Throws<InvalidOperationException>(() => opportunity.MoveTo(foreign, Rep, Start.AddDays(1)));
        Assert.That(opportunity.StageId, Is.EqualTo(First.Id));
    }

    [Test]
    public void The_probability_override_lasts_until_the_next_move()
    {
        var opportunity = NewOpportunity();
        opportunity.OverrideProbability(35, Start.AddDays(1));
        Assert.That(opportunity.Probability, Is.EqualTo(35));

        opportunity.MoveTo(Negotiation, Rep, Start.AddDays(2));
        Assert.That(opportunity.Probability, Is.EqualTo(60));
    }

    [TestCase(-1)]
    [TestCase(101)]
    public void A_probability_outside_0_to_100_is_refused(int probability) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NewOpportunity().OverrideProbability(probability, Start));

    [Test]
    public void A_closed_opportunity_keeps_its_closing_probability()
    {
        var opportunity = NewOpportunity();
        opportunity.MoveTo(Won, Rep, Start.AddDays(1));
        Assert.Throws<InvalidOperationException>(() => opportunity.OverrideProbability(50, Start.AddDays(2)));
    }
}

internal sealed class OpportunityClosingTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid PipelineId = Guid.CreateVersion7();
    private static readonly PipelineStage First = PipelineStage.Create(PipelineId, "initialContact", "Initial contact", 1, 10, StageKind.Open, Start);
    private static readonly PipelineStage Won = PipelineStage.Create(PipelineId, "closedWon", "Won", 2, 100, StageKind.Won, Start);
    private static readonly PipelineStage Lost = PipelineStage.Create(PipelineId, "closedLost", "Lost", 3, 0, StageKind.Lost, Start);

    private static Opportunity NewOpportunity() =>
        Opportunity.Create("项目", Guid.CreateVersion7(), null, null, First, 1000m, "CNY", null, null, null, Start);

    [Test]
    public void Losing_keeps_the_trimmed_reason_and_reopening_clears_it()
    {
        var opportunity = NewOpportunity();
        opportunity.Lose(Lost, "  budget cut ", null, Start.AddDays(1));
        Assert.That((opportunity.Status, opportunity.LostReason), Is.EqualTo((OpportunityStatus.Lost, "budget cut")));

        opportunity.Reopen(First, null, Start.AddDays(2));
        Assert.That((opportunity.Status, opportunity.LostReason), Is.EqualTo((OpportunityStatus.Open, (string?)null)));
    }

    [Test]
    public void A_closed_opportunity_cannot_be_closed_again_until_reopened()
    {
        var opportunity = NewOpportunity();
        opportunity.Win(Won, null, Start.AddDays(1));
        Assert.Throws<InvalidOperationException>(() => opportunity.Lose(Lost, "late", null, Start.AddDays(2)));
        Assert.Throws<InvalidOperationException>(() => opportunity.Win(Won, null, Start.AddDays(2)));
    }

    [Test]
    public void Losing_needs_a_reason_and_the_lost_stage() => Assert.Multiple(() =>
    {
        Assert.Throws<ArgumentException>(() => NewOpportunity().Lose(Lost, " ", null, Start));
        Assert.Throws<InvalidOperationException>(() => NewOpportunity().Lose(Won, "x", null, Start));
    });

    [Test]
    public void Only_a_closed_opportunity_reopens_and_only_in_an_open_stage()
    {
        Assert.Throws<InvalidOperationException>(() => NewOpportunity().Reopen(First, null, Start));
        var lost = NewOpportunity();
        lost.Lose(Lost, "x", null, Start);
        Assert.Throws<InvalidOperationException>(() => lost.Reopen(Won, null, Start));
    }
}
