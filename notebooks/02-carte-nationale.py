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
# # 2. La carte nationale
#
# Vue d'ensemble : où des listes ont-elles signé le Pacte, où les équipes élues
# l'ont-elles signé, et quelle part de la population cela représente.
#
# **Données fictives – démonstration** : chiffres et cartes de ce notebook sont
# calculés sur des suivis inventés ; chaque figure porte la mention.

# %%
import pacte_analysis as pa

DEMO = True  # les suivis sont fictifs : chaque figure le dit
resultat = pa.ingest(pa.raw_dir() / "demo")
listes, engagements = resultat.lists, resultat.commitments
communes = pa.communes(resolution="web").drop(columns="geometry")

# %% [markdown]
# ## Chiffres clés
#
# La population couverte (population municipale 2020 des communes concernées) n'a
# jamais été publiée pour la campagne de 2020 : on peut la calculer ici.

# %%
par_commune = pa.commune_summary(listes, engagements, communes)
population_totale = communes["population"].sum()
signee = par_commune["has_signatory"]
elue = par_commune["elected_signatory"].fillna(False).astype(bool)
chiffres = {
    "Listes connues": len(listes),
    "Listes signataires": int(listes["signatory"].sum()),
    "Communes avec au moins une liste connue": len(par_commune),
    "Communes avec une liste signataire": int(signee.sum()),
    "Communes dont l'équipe élue a signé": int(elue.sum()),
    "Population des communes avec une liste signataire (%)": round(
        float(100 * par_commune.loc[signee, "population"].sum() / population_totale), 1
    ),
    "Population des communes dont l'équipe élue a signé (%)": round(
        float(100 * par_commune.loc[elue, "population"].sum() / population_totale), 1
    ),
}
chiffres

# %% [markdown]
# ## Par département
#
# `pa.territory_summary` compte, pour chaque département (ou région, ou EPCI), les
# communes avec un groupe, avec une liste signataire, avec une équipe élue
# signataire, et la population couverte. Les départements sans aucune donnée
# figurent avec des zéros.

# %%
departements = pa.departements(resolution="web").drop(columns="geometry")
par_dep = pa.territory_summary(
    listes, engagements, communes, level="departement", territories=departements
)
par_dep.sort_values("share_population_signatory", ascending=False).head(10)[
    ["code", "name", "n_communes_signatory", "share_population_signatory"]
].round(1)

# %% [markdown]
# ## Cartes pour l'impression
#
# `pa.map_data` joint les indicateurs aux contours (simplifiés pour l'impression) ;
# `pa.plot_map` dessine la France avec les cinq DROM rapprochés, une seule
# classification pour tous. Les indicateurs disponibles :

# %%
pa.available_metrics("departement")[["metric", "label", "unit"]]

# %% tags=["figure"]
carte_dep = pa.map_data(listes, engagements, level="departement")
fig = pa.plot_map(
    carte_dep,
    "share_communes_signatory",
    level="departement",
    title="Part des communes avec une liste signataire",
    subtitle="Pacte pour la Transition, municipales 2020 – par département",
    legend_title="Part des communes",
    unit="%",
    demo=DEMO,
)
fig

# %% tags=["figure"]
carte_communes = pa.map_data(listes, engagements, level="commune")
fig = pa.plot_map(
    carte_communes,
    "status",
    scheme="categories",
    title="Situation de chaque commune",
    subtitle="Pacte pour la Transition, municipales 2020",
    legend_title="Situation",
    missing_label="Aucune liste connue",
    borders=pa.departements(resolution="print"),
    demo=DEMO,
)
fig

# %% [markdown]
# ## Carte interactive
#
# La même information pour le web : survol pour le nom et les chiffres, clic pour
# les listes de la commune et leurs mesures. La page fonctionne sans connexion.

# %% tags=["figure"]
carte_web = pa.map_data(listes, engagements, level="departement", resolution="web")
pa.interactive_map(
    carte_web,
    ["share_communes_signatory", "share_population_signatory", "n_lists"],
    labels={
        m: pa.metric_info(m).label
        for m in ["share_communes_signatory", "share_population_signatory", "n_lists"]
    },
    units={"share_communes_signatory": "%", "share_population_signatory": "%"},
    title="Pacte pour la Transition 2020 – par département",
    demo=DEMO,
    height=500,
)
