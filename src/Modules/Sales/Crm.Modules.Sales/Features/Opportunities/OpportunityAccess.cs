using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Opportunities;

internal static class OpportunityAccess
{
    /// <summary>The opportunity when the caller may see it (its owner is in the caller's scope); otherwise 404, whether it exists or not.</summary>
    public static async Task<Opportunity> FindVisibleAsync(IQueryable<Opportunity> opportunities, IAccessScopeProvider access, Guid id, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        return await opportunities.Where(o => o.Id == id).Where(scope.Filter<Opportunity>(o => o.OwnerId)).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Opportunity", id);
    }
}
