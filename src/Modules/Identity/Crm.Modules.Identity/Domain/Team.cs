using Crm.SharedKernel.Audit;

namespace Crm.Modules.Identity.Domain;

/// <summary>Level of a team in the organisation: a company holds departments, a department holds groups.</summary>
internal enum TeamKind
{
    Company,
    Department,
    Group,
}

/// <summary>A node of the organisation tree (公司 → 部门 → 小组). Managers see the records of their team's subtree.</summary>
[AuditEntityType("team")]
internal sealed class Team : IAuditable
{
    private Team()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public TeamKind Kind { get; private set; }

    public Guid? ParentId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public uint Version { get; private set; }

    public static Team Create(string name, TeamKind kind, Guid? parentId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Name = name.Trim(),
        Kind = kind,
        ParentId = parentId,
        CreatedAt = now,
    };

    public void Rename(string name) => Name = name.Trim();

    public void MoveUnder(Guid? parentId) => ParentId = parentId;

    /// <summary>The kind a parent of this team must have; a company has no parent.</summary>
    public static TeamKind? ParentKindOf(TeamKind kind) => kind switch
    {
        TeamKind.Department => TeamKind.Company,
        TeamKind.Group => TeamKind.Department,
        _ => null,
    };
}
