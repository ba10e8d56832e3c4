using Crm.Modules.Sales.Domain;

namespace Crm.UnitTests.Sales;

internal sealed class LeadRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static Lead NewLead(string? province = "广东省", string? industry = "制造业", string? source = "website") =>
        Lead.Create(new LeadDetails(source, null, "云帆科技", null, null, ["138-0013-8000", "+86 138 0013 8000", "13800138000"], ["A@B.cn", "a@b.cn"], province, null, industry, null, null, null, null, null), null, null, Now);

    [Test]
    public void Phones_and_emails_are_normalized_and_deduplicated_and_the_search_text_holds_them()
    {
        var lead = NewLead();
        Assert.Multiple(() =>
        {
            Assert.That(lead.Phones, Is.EqualTo(new[] { "13800138000", "+8613800138000" }));
            Assert.That(lead.Emails, Is.EqualTo(new[] { "a@b.cn" }));
            Assert.That(lead.SearchText, Does.Contain("云帆科技").And.Contain("13800138000").And.Contain("a@b.cn"));
            Assert.That(lead.Currency, Is.EqualTo("CNY"));
        });
    }

    [Test]
    public void A_follow_up_moves_only_a_new_lead_to_contacted_and_keeps_the_newest_date()
    {
        var lead = NewLead();
        lead.RecordFollowUp(Now.AddDays(-1), Now);
        Assert.That(lead.Status, Is.EqualTo(LeadStatus.Contacted));
        lead.Qualify(Now);
        lead.RecordFollowUp(Now.AddDays(-5), Now);
        Assert.Multiple(() =>
        {
            Assert.That(lead.Status, Is.EqualTo(LeadStatus.Qualified));
            Assert.That(lead.LastFollowUpAt, Is.EqualTo(Now.AddDays(-1)));
        });
    }

    [Test]
    public void Qualify_needs_new_or_contacted_and_disqualify_needs_an_open_lead()
    {
        var lead = NewLead();
        Assert.Multiple(() =>
        {
            Assert.That(lead.Qualify(Now), Is.True);
            Assert.That(lead.Qualify(Now), Is.False);
            Assert.That(lead.Disqualify(" 预算不足 ", Now), Is.True);
            Assert.That(lead.DisqualificationReason, Is.EqualTo("预算不足"));
            Assert.That(lead.Disqualify("again", Now), Is.False);
            Assert.That(lead.Qualify(Now), Is.False);
            Assert.That(lead.IsOpen, Is.False);
        });
    }

    [Test]
    public void A_territory_with_empty_lists_covers_everything_and_otherwise_needs_both_province_and_industry()
    {
        var any = Territory.Create("全国", [], [], [], [], Now);
        var south = Territory.Create("华南制造", ["广东省", " 广西壮族自治区 "], ["制造业"], [], [], Now);
        Assert.Multiple(() =>
        {
            Assert.That(any.Covers(null, null), Is.True);
            Assert.That(south.Covers("广西壮族自治区", "制造业"), Is.True);
            Assert.That(south.Covers("广东省", "餐饮"), Is.False);
            Assert.That(south.Covers(null, "制造业"), Is.False);
        });
    }

    [Test]
    public void A_rule_matches_when_every_non_empty_condition_holds()
    {
        var rule = AssignmentRule.Create(new AssignmentRuleSettings("官网华南", 1, true, null, ["广东省"], [], ["website"], AssignmentStrategy.RoundRobin, [Guid.CreateVersion7()]), Now);
        var catchAll = AssignmentRule.Create(new AssignmentRuleSettings("兜底", 9, true, null, [], [], [], AssignmentStrategy.LeastLoaded, [Guid.CreateVersion7()]), Now);
        Assert.Multiple(() =>
        {
            Assert.That(rule.Matches("广东省", "餐饮", "website"), Is.True);
            Assert.That(rule.Matches("广东省", "餐饮", "exhibition"), Is.False);
            Assert.That(rule.Matches(null, null, "website"), Is.False);
            Assert.That(catchAll.Matches(null, null, null), Is.True);
        });
    }
}
