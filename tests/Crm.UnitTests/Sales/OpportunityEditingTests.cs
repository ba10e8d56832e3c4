using Crm.Modules.Sales.Domain;

namespace Crm.UnitTests.Sales;

internal sealed class OpportunityEditingTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid PipelineId = Guid.CreateVersion7();
    private static readonly Guid Rep = Guid.CreateVersion7();

    private static readonly PipelineStage First = PipelineStage.Create(PipelineId, "initialContact", "Initial contact", 1, 10, StageKind.Open, Start);
    private static readonly PipelineStage Won = PipelineStage.Create(PipelineId, "closedWon", "Won", 2, 100, StageKind.Won, Start);
    private static readonly PipelineStage Lost = PipelineStage.Create(PipelineId, "closedLost", "Lost", 3, 0, StageKind.Lost, Start);

    private static Opportunity NewOpportunity() =>
        Opportunity.Create("ERP 项目", Guid.CreateVersion7(), null, null, First, 1000m, "CNY", null, Rep, null, Start);

    [Test]
    public void Updating_trims_the_texts_and_stores_blank_ones_as_null()
    {
        var opportunity = NewOpportunity();

        opportunity.Update(opportunity.Details() with { Name = "  ERP 二期 ", Currency = "usd", Source = "  ", Description = " 备注 " }, Start.AddHours(1));

        Assert.Multiple(() =>
        {
            Assert.That(opportunity.Name, Is.EqualTo("ERP 二期"));
            Assert.That(opportunity.Currency, Is.EqualTo("USD"));
            Assert.That(opportunity.Source, Is.Null);
            Assert.That(opportunity.Description, Is.EqualTo("备注"));
            Assert.That(opportunity.UpdatedAt, Is.EqualTo(Start.AddHours(1)));
        });
    }

    [Test]
    public void A_closed_opportunity_cannot_be_edited_nor_given_to_another_owner()
    {
        var opportunity = NewOpportunity();
        opportunity.Win(Won, Rep, Start.AddDays(1));

        Assert.Multiple(() =>
        {
            Assert.That(() => opportunity.Update(opportunity.Details() with { Amount = 1m }, Start.AddDays(2)), Throws.InvalidOperationException);
            Assert.That(() => opportunity.AssignOwner(Guid.CreateVersion7(), null, Start.AddDays(2)), Throws.InvalidOperationException);
            Assert.That(() => opportunity.ResetProbability(Won, Start.AddDays(2)), Throws.InvalidOperationException);
            Assert.That(opportunity.Amount, Is.EqualTo(1000m));
        });
    }

    [Test]
    public void Resetting_the_probability_returns_to_the_default_of_the_current_stage_only()
    {
        var opportunity = NewOpportunity();
        opportunity.OverrideProbability(55, Start.AddHours(1));

        Assert.That(() => opportunity.ResetProbability(Won, Start.AddHours(2)), Throws.InvalidOperationException);
        opportunity.ResetProbability(First, Start.AddHours(2));

        Assert.That(opportunity.Probability, Is.EqualTo(10));
    }

    [Test]
    public void Losing_to_a_competitor_remembers_it_until_the_opportunity_is_reopened()
    {
        var opportunity = NewOpportunity();
        var competitor = Guid.CreateVersion7();

        opportunity.Lose(Lost, "价格", Rep, Start.AddDays(1), competitor);
        var lostTo = opportunity.LostToCompetitorId;
        opportunity.Reopen(First, Rep, Start.AddDays(2));

        Assert.Multiple(() =>
        {
            Assert.That(lostTo, Is.EqualTo(competitor));
            Assert.That(opportunity.LostToCompetitorId, Is.Null);
            Assert.That(opportunity.LostReason, Is.Null);
        });
    }

    [Test]
    public void Giving_an_open_opportunity_to_another_owner_moves_its_team()
    {
        var opportunity = NewOpportunity();
        var owner = Guid.CreateVersion7();
        var team = Guid.CreateVersion7();

        opportunity.AssignOwner(owner, team, Start.AddHours(3));

        Assert.That((opportunity.OwnerId, opportunity.TeamId), Is.EqualTo(((Guid?)owner, (Guid?)team)));
    }
}
