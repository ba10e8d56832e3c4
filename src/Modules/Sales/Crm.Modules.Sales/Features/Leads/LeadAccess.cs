using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>Who may see a lead and who may own one.</summary>
internal static class LeadAccess
{
    /// <summary>
    /// The lead when the caller may see it; otherwise 404, whether it exists or not. Unassigned leads are visible
    /// to everyone with sales access: they wait to be worked or assigned.
    /// </summary>
    public static async Task<Lead> FindVisibleAsync(IQueryable<Lead> leads, IAccessScopeProvider access, Guid id, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        return await leads.Where(l => l.Id == id).Where(scope.Filter<Lead>(l => l.OwnerId, includeUnowned: true)).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Lead", id);
    }

    /// <summary>
    /// The owner to be, checked: the caller may always take a lead; managers may give it to anyone in their team
    /// subtree and administrators to anyone (403 otherwise); the user must exist and be active (422).
    /// </summary>
    public static async Task<UserSummary> ResolveOwnerAsync(Guid ownerId, IAccessScopeProvider access, IUserDirectory users, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        if (ownerId != scope.UserId && !scope.CanSee(ownerId))
        {
            throw LeadsProblems.CannotAssignOwner();
        }

        var owner = await users.FindByIdAsync(ownerId, ct);
        return owner is { Active: true } ? owner : throw LeadsProblems.UnknownOwner(ownerId);
    }

    /// <summary>422 unless the partner exists and is active.</summary>
    public static async Task EnsurePartnerAsync(SalesDbContext db, Guid? partnerId, CancellationToken ct)
    {
        if (partnerId is { } id && !await db.Partners.AnyAsync(p => p.Id == id && p.Active, ct))
        {
            throw LeadsProblems.UnknownPartner(id);
        }
    }
}
