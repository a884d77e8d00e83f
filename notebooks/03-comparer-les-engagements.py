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
# # 3. Comparer les engagements
#
# Quelles mesures, quels thèmes, quelles listes d'une même commune, équipes élues ou
# non, petites ou grandes communes, deux départements côte à côte.
#
# **Données fictives – démonstration.**

# %%
import pacte_analysis as pa

DEMO = True
resultat = pa.ingest(pa.raw_dir() / "demo")
listes, engagements = resultat.lists, resultat.commitments
communes = pa.communes(resolution="web").drop(columns="geometry")
edition = pa.read_edition("pacte-2020")

# %% [markdown]
# ## Les mesures
#
# Pour chaque mesure : combien de listes et combien d'équipes élues s'y sont
# engagées, et à quel niveau d'ambition. Un intitulé non confirmé par une source
# publique s'affiche « Mesure N » : il n'est jamais inventé.

# %%
mesures = pa.measure_summary(listes, engagements)
mesures.sort_values("n_lists", ascending=False).head(10).round(1)

# %% tags=["figure"]
pa.draw_chart("measure-popularity", listes, engagements, demo=DEMO)

# %% [markdown]
# ## Les thèmes

# %%
pa.theme_summary(listes, engagements).round(1)

# %% [markdown]
# ## Les listes d'une même commune
#
# Matrice mesures × listes : qui a promis quoi, et à quel niveau (« N2 » : niveau 2,
# « ✓ » : mesure choisie sans niveau). Ici, la commune qui compte le plus de listes
# dont on connaît les mesures (certains suivis disent seulement qu'une liste a signé).

# %% tags=["matrix"]
avec_mesures = listes[listes["n_measures"] > 0]
commune = avec_mesures["commune_code"].value_counts().index[0]
pa.compare_lists(commune, listes, engagements, values="label")

# %% [markdown]
# ## Élues ou non
#
# Les équipes élues se sont-elles engagées sur les mêmes mesures que les autres
# listes ?

# %%
pa.compare_elected(listes, engagements).round(1)

# %% tags=["figure"]
pa.draw_chart("elected-vs-not", listes, engagements, demo=DEMO)

# %% [markdown]
# Et dans l'autre sens : les listes signataires ont-elles été élues plus souvent que
# les autres ? (`win_rate`, parmi les listes dont le résultat est connu, au total et
# par taille de commune ; `difference` en points.)

# %%
pa.win_rate(listes, engagements, communes).round(1)

# %% [markdown]
# ## Taille des communes
#
# Tranches de population (seuils de l'INSEE et du code électoral : 1 000 habitants
# est depuis 2014 le seuil du scrutin de liste).

# %%
pa.compare_size_classes(listes, engagements, communes).round(1)

# %% tags=["figure"]
pa.draw_chart("measures-per-list", listes, engagements, demo=DEMO)

# %% [markdown]
# ## Deux départements côte à côte

# %%
departements = pa.departements(resolution="web").drop(columns="geometry")
deux = listes["departement_code"].value_counts().index[:2].tolist()
pa.compare_territories(
    deux[0],
    deux[1],
    listes,
    engagements,
    communes,
    level="departement",
    territories=departements,
)

# %% tags=["figure"]
pa.draw_chart("theme-heatmap", listes, engagements, communes, demo=DEMO, territories=departements)
