# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5. Bilan de mandat : que sont devenus les engagements de 2020 ?
#
# Les élections municipales de mars 2026 ont eu lieu. Deux questions :
#
# 1. **Les équipes élues qui avaient signé le Pacte en 2020 ont-elles gardé leur
#    commune ?** On compare les deux instantanés du Répertoire national des élus
#    (maires de 2020 et de 2026) : c'est le **maire** qui est suivi (même personne :
#    nom, prénom, date de naissance), pas la liste.
# 2. **Qu'ont-elles fait de leurs engagements ?** Les collectifs évaluent mesure par
#    mesure (réalisée, en cours, engagée, non engagée, abandonnée) ; on en tire un
#    score par commune dont la méthode est écrite partout où il est montré.
#
# **Données fictives – démonstration** : les listes et les grilles de bilan sont
# inventées ; les maires de 2020 et 2026 sont ceux du RNE (la question 1 porte donc
# sur des communes réelles, rattachées à des listes fictives). Il faut le référentiel
# 2026 : `pacte reference build --vintage 2026` (`make demo` et `make test` le
# construisent).

# %%
import tempfile
from pathlib import Path

import pacte_analysis as pa
from pacte_analysis.demo import write_demo_followup

DEMO = True  # les listes et les bilans sont fictifs : chaque figure le dit
resultat = pa.ingest(pa.raw_dir() / "demo")
listes, engagements = resultat.lists, resultat.commitments

# %% [markdown]
# ## 1. Les maires des équipes signataires ont-ils été réélus ?

# %%
issue = pa.mandate_outcome(listes)
equipes = issue[issue["signatory"] & issue["elected"].fillna(False).astype(bool)]
equipes["mayor_2026_outcome_label"].value_counts().rename("équipes élues signataires")

# %% [markdown]
# Les taux de réélection dépendent de la taille des communes : la comparaison
# honnête est avec le taux attendu pour des communes de même taille
# (`share_expected_by_size`).

# %%
france = pa.mandate_summary(listes, by="france").iloc[0]
{
    "Équipes élues signataires au résultat connu": int(france["n_signatory_known"]),
    "dont maire réélu·e (%)": round(float(france["share_signatory_reelected"]), 1),
    "Équipes élues non signataires : maire réélu·e (%)": round(
        float(france["share_non_signatory_reelected"]), 1
    ),
    "Toutes les communes : maire réélu·e (%)": round(float(france["share_all_reelected"]), 1),
    "Attendu d'après la taille des communes (%)": round(float(france["share_expected_by_size"]), 1),
}

# %% tags=["figure"]
pa.plot_mandate_reelection(listes, demo=DEMO)

# %% [markdown]
# ## 2. Le bilan des engagements
#
# Une grille de bilan est un tableau comme les suivis : une ligne par commune (ou par
# liste), une colonne par mesure, ou une ligne par mesure ; l'import accepte les mêmes
# dispositions. Le module de démonstration en écrit deux, fictives.

# %%
dossier = Path(tempfile.mkdtemp()) / "grilles"
grilles = write_demo_followup(listes, engagements, dossier)
bilan = pa.read_followup(dossier)
print(bilan.report().splitlines()[-1])

# %%
scores = pa.followup_scores(bilan.statuses, listes, engagements)
print(pa.SCORE_METHOD)
scores.sort_values("score", ascending=False)[
    [
        "commune_name",
        "departement_code",
        "list_name",
        "n_committed",
        "n_done",
        "n_in_progress",
        "score",
    ]
].head(10)

# %%
pa.followup_summary(bilan.statuses, by="theme")

# %% tags=["figure"]
pa.plot_followup_status(bilan.statuses, demo=DEMO)

# %% [markdown]
# ## Le score moyen par département

# %% tags=["figure"]
par_dep = scores.groupby("departement_code")["score"].mean().round(1).rename("score_moyen")
carte = pa.map_data(listes, engagements, level="departement")
carte = carte.merge(par_dep, left_on="code", right_index=True, how="left")
pa.plot_map(
    carte,
    "score_moyen",
    level="departement",
    title="Score moyen de réalisation des engagements",
    subtitle="Équipes élues signataires de 2020, bilans fictifs – sur 10, méthode pacte_analysis",
    legend_title="Score moyen (sur 10)",
    demo=DEMO,
)
