using Crm.Modules.Sales.Domain;

namespace Crm.UnitTests.Sales;

internal sealed class LeadConversionRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 8, 0, 0, TimeSpan.Zero);

    private static Lead NewLead(Guid? ownerId = null) =>
        Lead.Create(new LeadDetails("website", null, "云帆科技", "陈思", null, [], [], null, null, null, null, null, null, null, null), ownerId, null, Now.AddDays(-3));

    [Test]
    public void Converting_records_the_lineage_closes_the_lead_and_gives_it_the_owner_of_what_it_became()
    {
        var lead = NewLead();
        Guid customer = Guid.CreateVersion7(), contact = Guid.CreateVersion7(), opportunity = Guid.CreateVersion7(), owner = Guid.CreateVersion7(), team = Guid.CreateVersion7();

        Assert.That(lead.Convert(customer, contact, opportunity, owner, team, Now), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(lead.Status, Is.EqualTo(LeadStatus.Converted));
            Assert.That(lead.IsOpen, Is.False);
            Assert.That(lead.ConvertedCustomerId, Is.EqualTo(customer));
            Assert.That(lead.ConvertedContactId, Is.EqualTo(contact));
            Assert.That(lead.ConvertedOpportunityId, Is.EqualTo(opportunity));
            Assert.That(lead.ConvertedAt, Is.EqualTo(Now));
            Assert.That(lead.OwnerId, Is.EqualTo(owner));
            Assert.That(lead.TeamId, Is.EqualTo(team));
            Assert.That(lead.UpdatedAt, Is.EqualTo(Now));
        });
    }

    [Test]
    public void A_converted_or_disqualified_lead_cannot_be_converted_and_keeps_its_first_lineage()
    {
        var converted = NewLead();
        var first = Guid.CreateVersion7();
        converted.Convert(first, null, null, Guid.CreateVersion7(), null, Now);
        var disqualified = NewLead();
        disqualified.Disqualify("预算不足", Now);

        Assert.Multiple(() =>
        {
            Assert.That(converted.Convert(Guid.CreateVersion7(), null, null, Guid.CreateVersion7(), null, Now.AddHours(1)), Is.False);
            Assert.That(converted.ConvertedCustomerId, Is.EqualTo(first));
            Assert.That(converted.ConvertedAt, Is.EqualTo(Now));
            Assert.That(disqualified.Convert(Guid.CreateVersion7(), null, null, Guid.CreateVersion7(), null, Now), Is.False);
            Assert.That(disqualified.Status, Is.EqualTo(LeadStatus.Disqualified));
        });
    }

    [Test]
    public void Qualified_and_contacted_leads_convert_like_new_ones()
    {
        var contacted = NewLead();
        contacted.RecordFollowUp(Now, Now);
        var qualified = NewLead();
        qualified.Qualify(Now);

        Assert.Multiple(() =>
        {
            Assert.That(contacted.Convert(Guid.CreateVersion7(), null, null, Guid.CreateVersion7(), null, Now), Is.True);
            Assert.That(qualified.Convert(Guid.CreateVersion7(), null, null, Guid.CreateVersion7(), null, Now), Is.True);
        });
    }
}
