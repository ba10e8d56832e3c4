using System.Linq.Expressions;

namespace Crm.Modules.Identity.Contracts;

/// <summary>
/// Which records the caller may see, as data a module turns into SQL: admins, analysts and integrations
/// see everything; managers the records owned by anyone in their team and its sub-teams (and their own);
/// everyone else their own. Records the caller may not see answer 404.
/// </summary>
public sealed class AccessScope
{
    private readonly List<Guid?> _owners;

    public AccessScope(Guid? userId, bool seesAll, IEnumerable<Guid> visibleOwners)
    {
        UserId = userId;
        SeesAll = seesAll;
        _owners = visibleOwners.Select(id => (Guid?)id).Distinct().ToList();
    }

    /// <summary>The caller's user id (null for an API key).</summary>
    public Guid? UserId { get; }

    public bool SeesAll { get; }

    /// <summary>Owners whose records the caller sees (empty when <see cref="SeesAll"/>).</summary>
    public IReadOnlyList<Guid?> VisibleOwners => _owners;

    /// <summary>
    /// A predicate over the owner column, translated to SQL (<c>owner_id = ANY(@owners)</c>).
    /// <paramref name="includeUnowned"/> also admits records without owner (a module's public pool).
    /// </summary>
    public Expression<Func<T, bool>> Filter<T>(Expression<Func<T, Guid?>> owner, bool includeUnowned = false)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (SeesAll)
        {
            return _ => true;
        }

        // A member of a captured object, so EF sends the owners as one array parameter (= ANY(@owners)).
        var owners = Expression.Property(Expression.Constant(new OwnerList(_owners)), nameof(OwnerList.Owners));
        var body = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(Guid?)], owners, owner.Body);
        Expression predicate = includeUnowned
            ? Expression.OrElse(Expression.Equal(owner.Body, Expression.Constant(null, typeof(Guid?))), body)
            : body;
        return Expression.Lambda<Func<T, bool>>(predicate, owner.Parameters);
    }

    private sealed class OwnerList(List<Guid?> owners)
    {
        public List<Guid?> Owners { get; } = owners;
    }

    /// <summary>The same rule for one record already in memory.</summary>
    public bool CanSee(Guid? ownerId, bool includeUnowned = false) =>
        SeesAll || (ownerId is null ? includeUnowned : _owners.Contains(ownerId));
}

/// <summary>Resolves the current caller's <see cref="AccessScope"/> once per request.</summary>
public interface IAccessScopeProvider
{
    Task<AccessScope> GetAsync(CancellationToken ct);
}
