using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Domain;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>The lead events as every writer (create, import, assign, bulk reassign, disqualify) raises them.</summary>
internal static class LeadIntegrationEvents
{
    public static LeadCreated Created(Lead lead) => new(lead.CreatedAt)
    {
        LeadId = lead.Id,
        CompanyName = lead.CompanyName,
        PersonName = lead.PersonName,
        Source = lead.Source,
        CampaignId = lead.CampaignId,
        PartnerId = lead.PartnerId,
        OwnerId = lead.OwnerId,
        TeamId = lead.TeamId,
    };

    public static LeadAssigned Assigned(Guid leadId, Guid? fromOwnerId, Guid toOwnerId, Guid? teamId, DateTimeOffset now) => new(now)
    {
        LeadId = leadId,
        FromOwnerId = fromOwnerId,
        ToOwnerId = toOwnerId,
        TeamId = teamId,
    };

    public static LeadDisqualified Disqualified(Lead lead, DateTimeOffset now) => new(now)
    {
        LeadId = lead.Id,
        Reason = lead.DisqualificationReason!,
        CompanyName = lead.CompanyName,
        PersonName = lead.PersonName,
        Source = lead.Source,
        CampaignId = lead.CampaignId,
        PartnerId = lead.PartnerId,
        OwnerId = lead.OwnerId,
        TeamId = lead.TeamId,
    };
}
