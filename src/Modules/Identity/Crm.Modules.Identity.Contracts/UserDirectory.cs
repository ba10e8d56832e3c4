namespace Crm.Modules.Identity.Contracts;

/// <summary>A user as other modules need them: to resolve owners by email, show names, check activity.</summary>
public sealed record UserSummary(Guid Id, string Email, string Name, bool Active, Guid? TeamId, IReadOnlyList<string> Roles);

/// <summary>Read access to users for other modules (imports resolve "owner by email" through it).</summary>
public interface IUserDirectory
{
    Task<UserSummary?> FindByIdAsync(Guid id, CancellationToken ct);

    /// <summary>Looks users up by email (case-insensitive) in one query.</summary>
    Task<IReadOnlyDictionary<string, UserSummary>> FindByEmailsAsync(IReadOnlyCollection<string> emails, CancellationToken ct);

    /// <summary>Looks users up by id in one query (exports name owners by email).</summary>
    Task<IReadOnlyDictionary<Guid, UserSummary>> FindByIdsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct);
}
