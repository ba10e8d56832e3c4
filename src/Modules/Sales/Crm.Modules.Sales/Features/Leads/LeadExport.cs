using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;
using S = Crm.Modules.Sales.Features.Leads.Import.LeadImportSchema;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>
/// Streams the leads the caller sees, filtered like the list, in keyset batches, with the owner's email and the
/// partner's name (what the import reads). The columns are the import's field names plus read-only ones it skips, so
/// the file re-imports unchanged.
/// </summary>
internal sealed class LeadExport(SalesDbContext db, IAccessScopeProvider access, ITeamDirectory teams, IUserDirectory users)
{
    public static readonly string[] Columns =
    [
        S.CompanyName, S.PersonName, S.Title, S.Source, S.CampaignId, S.Phones, S.Emails, S.Province, S.City, S.Industry, S.EstimatedValue,
        S.Currency, S.Score, S.Notes, S.PartnerName, S.OwnerEmail, "id", "status", "disqualificationReason", "ownerId", "teamId", "createdAt",
        "updatedAt",
    ];

    /// <summary>The filtered, visible leads; a filter the list refuses (a short q, a team the caller may not see) fails here, before the response starts.</summary>
    public async Task<IQueryable<Lead>> QueryAsync(LeadFilter filter, Guid? teamId, CancellationToken ct) =>
        await LeadQuery.VisibleAsync(db.Leads.AsNoTracking(), await access.GetAsync(ct), teams, filter, teamId, ct);

    public Task WriteAsync(IQueryable<Lead> leads, ExportWriter writer, CancellationToken ct) =>
        KeysetExport.WriteAsync(writer, after => leads.Where(l => l.Id > after).OrderBy(l => l.Id), l => l.Id, CellsAsync, ct);

    private async Task<Func<Lead, IReadOnlyList<object?>>> CellsAsync(IReadOnlyList<Lead> batch, CancellationToken ct)
    {
        var ownerIds = batch.Select(l => l.OwnerId).OfType<Guid>().Distinct().ToList();
        var owners = ownerIds.Count == 0 ? new Dictionary<Guid, UserSummary>() : await users.FindByIdsAsync(ownerIds, ct);
        var partnerIds = batch.Select(l => l.PartnerId).OfType<Guid>().Distinct().ToList();
        var partners = partnerIds.Count == 0
            ? new Dictionary<Guid, string>()
            : await db.Partners.AsNoTracking().Where(p => partnerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        return l =>
        [
            l.CompanyName, l.PersonName, l.Title, l.Source, l.CampaignId, l.Phones, l.Emails, l.Province, l.City, l.Industry, l.EstimatedValue,
            l.Currency, l.Score, l.Notes, l.PartnerId is { } partner && partners.TryGetValue(partner, out var name) ? name : null,
            l.OwnerId is { } owner && owners.TryGetValue(owner, out var user) ? user.Email : null, l.Id, LeadsProblems.Name(l.Status),
            l.DisqualificationReason, l.OwnerId, l.TeamId, l.CreatedAt, l.UpdatedAt,
        ];
    }
}
